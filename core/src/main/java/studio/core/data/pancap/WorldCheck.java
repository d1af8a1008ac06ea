package studio.core.data.pancap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import studio.core.data.Problems;
import studio.core.data.world.WorldGenerator;
import studio.core.data.world.WorldSample;

/**
 * WORLD.md invariant "the same (seed, index, size) gives byte-identical files", checked on a world
 * folder: the generator named in {@code world.json} is run again with its seed, count and size and
 * every file is compared byte for byte.
 */
final class WorldCheck {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private WorldCheck() {}

    static void check(PanCapLayout layout, Problems problems) throws IOException {
        Path file = layout.root().resolve("world.json");
        JsonNode world;
        try {
            world = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            problems.report("world.json", 1, "malformed JSON: " + e.getMessage());
            return;
        }
        if (!WorldGenerator.NAME.equals(world.path("generator").asText()) || world.path("version").asInt() != WorldGenerator.VERSION) {
            problems.report("world.json", 1, "written by " + world.path("generator").asText() + " version " + world.path("version").asText()
                    + "; this studio regenerates " + WorldGenerator.NAME + " version " + WorldGenerator.VERSION + " only, so byte-identity was not checked");
            return;
        }
        if (!world.path("seed").canConvertToLong() || !world.path("count").canConvertToInt() || !world.path("size").canConvertToInt()
                || world.path("count").asInt() < 1 || world.path("count").asInt() > WorldGenerator.MAX_COUNT
                || world.path("size").asInt() < WorldGenerator.MIN_SIZE || world.path("size").asInt() > WorldGenerator.MAX_SIZE) {
            problems.report("world.json", 1, "seed, count and size must be integers in range");
            return;
        }
        long seed = world.get("seed").asLong();
        int count = world.get("count").asInt();
        int size = world.get("size").asInt();
        int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
        List<WorldSample> samples = WorldGenerator.samples(seed, count, size, threads, s -> {
            compare(layout.root(), WorldGenerator.imageFiles(s), problems);
            return s.withoutPixels();
        });
        compare(layout.root(), WorldGenerator.indexFiles(seed, count, size, samples), problems);
    }

    private static void compare(Path root, Map<String, byte[]> expected, Problems problems) throws IOException {
        for (Map.Entry<String, byte[]> f : expected.entrySet()) {
            byte[] actual;
            try {
                actual = Files.readAllBytes(root.resolve(f.getKey()));
            } catch (NoSuchFileException e) {
                synchronized (problems) {
                    problems.report(f.getKey(), 0, "missing (the generator writes it for this seed, count and size)");
                }
                continue;
            }
            if (!Arrays.equals(actual, f.getValue())) {
                synchronized (problems) {
                    problems.report(f.getKey(), 0, "differs from what the generator makes for the seed, count and size in world.json");
                }
            }
        }
    }
}
