package studio.diffusion.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import studio.core.data.caption.TagParser;
import studio.core.data.world.WorldGenerator;
import studio.core.data.world.WorldSample;

/**
 * The text the world's tokenizers are built from (WORLD.md): for every image of a generated world its long
 * caption with the grounding tags stripped (what the text encoders see in "long" mode), its short caption, and
 * the world's GenEval-style prompts. Deterministic in (seed, count, size): the world is.
 */
public final class WorldCorpus {
    private WorldCorpus() {}

    /** The texts of world {@code seed} with {@code count} images of {@code size} px, in a fixed order. */
    public static List<String> texts(long seed, int count, int size, int threads) throws IOException {
        List<WorldSample> samples = WorldGenerator.samples(seed, count, size, threads, WorldSample::withoutPixels);
        List<String> out = new ArrayList<>(2 * count + 600);
        for (WorldSample s : samples) {
            out.add(TagParser.parse(s.caption(), s.fileName()).plain());
            out.add(s.shortCaption());
        }
        Map<String, byte[]> index = WorldGenerator.indexFiles(seed, 0, size, List.of());
        ObjectMapper json = new ObjectMapper();
        String prompts = new String(index.get("geneval/evaluation_metadata.jsonl"), StandardCharsets.UTF_8);
        for (String line : prompts.split("\n")) {
            if (!line.isBlank()) {
                out.add(json.readTree(line).path("prompt").asText());
            }
        }
        return out;
    }
}
