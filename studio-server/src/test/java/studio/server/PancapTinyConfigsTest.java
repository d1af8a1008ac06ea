package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import studio.core.config.Configs;
import studio.diffusion.train.TrainConfig;

/**
 * The committed pancap-tiny MMDiT configs resolve against the trainer's preset, and the two LoRA presets of the
 * evaluation experiment differ only in {@code data.caption} (and their output folders).
 */
class PancapTinyConfigsTest {
    private static final Path DIR = Path.of("../configs/train");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theLoraPairDiffersOnlyInTheCaption() throws Exception {
        TrainConfig shortRun = TrainConfig.resolve(DIR.resolve("lora-pancap-tiny-short.json"), List.of());
        TrainConfig longRun = TrainConfig.resolve(DIR.resolve("lora-pancap-tiny-long.json"), List.of());
        assertEquals("short", shortRun.data().caption());
        assertEquals("long", longRun.data().caption());
        // compare the resolved configs (every key, defaults included), not just the files
        List<String> differ = new ArrayList<>();
        diff("", JSON.readTree(Configs.toJson(shortRun)), JSON.readTree(Configs.toJson(longRun)), differ);
        assertEquals(List.of("data.caption", "output_dir"), differ);
        assertEquals("lora", shortRun.task());
        assertEquals(8, shortRun.lora().rank());
        assertEquals("models/pancap-tiny/transformer", shortRun.model().path());
        assertEquals("sd3:models/pancap-tiny", shortRun.encoders().text());
        // the world's long captions are at most 248 T5 tokens (configs/train/README.md): none is cut at 256
        assertTrue(shortRun.encoders().textTokens() >= 249);
        assertTrue(shortRun.data().world().seed() != pretraining().data().world().seed(), "a world unlike pretraining's");
    }

    @Test
    void thePretrainingConfigUsesThePancapTinyParts() {
        TrainConfig c = pretraining();
        assertEquals("full", c.task());
        assertEquals("pancap-tiny", c.model().preset());
        assertEquals("", c.model().path());
        assertEquals("vae:runs/pancap-tiny-vae/vae", c.encoders().latent());
        assertEquals("sd3:runs/pancap-tiny-stage", c.encoders().text());
        assertEquals("mix", c.data().caption());
        assertTrue(c.ema().enabled());
        assertTrue(c.maxMinutes() > 0 && c.maxMinutes() <= 30);
        // ≥ 15 epochs of the 2000-image world
        assertTrue((long) c.steps() * c.batchSize() >= 15L * c.data().world().count());
    }

    private static TrainConfig pretraining() {
        return TrainConfig.resolve(DIR.resolve("pancap-tiny-mmdit.json"), List.of());
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a.isObject() && b.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                diff(path.isEmpty() ? k : path + "." + k, a.path(k), b.path(k), out);
            }
        } else if (!a.equals(b)) {
            out.add(path);
        }
    }
}
