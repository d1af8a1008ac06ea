package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.CliRun.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.server.CliRun.Run;

class DataCommandsTest {
    @TempDir
    Path dir;


    @Test
    void worldThenStatsThenValidate() {
        Path w = dir.resolve("w");
        Run world = run("world", "--out", w.toString(), "--count", "8", "--size", "32", "--seed", "5");
        assertEquals(0, world.exit(), world.err());
        assertTrue(world.out().startsWith("wrote 8 images (32x32, seed 5) to "), world.out());

        Run stats = run("data", "stats", w.toString());
        assertEquals(0, stats.exit(), stats.err());
        for (String column : new String[] {"images: 8", "average words per caption: ", "average masks per image: ", "things per image: ", "stuff per image: "}) {
            assertTrue(stats.out().contains(column), stats.out());
        }

        Run validate = run("data", "validate", w.toString());
        assertEquals(0, validate.exit(), validate.out() + validate.err());
        assertTrue(validate.out().startsWith("ok: no violations"), validate.out());
    }

    @Test
    void validateListsEveryViolationAndExitsTwo() throws Exception {
        Path w = dir.resolve("w");
        assertEquals(0, run("world", "--out", w.toString(), "--count", "4", "--size", "32").exit());
        Files.delete(w.resolve("world.json"));
        Files.writeString(w.resolve("captions/000000000001.txt"), "<9: ghost> and <0: sky");
        Files.delete(w.resolve("panoptic/000000000003.png"));
        Run validate = run("data", "validate", w.toString());
        assertEquals(2, validate.exit());
        assertTrue(validate.out().contains("captions/000000000001.txt:1: column 16: unclosed tag in '<0: sky'"), validate.out());
        assertTrue(validate.out().contains("mask of image 3"), validate.out());
        assertTrue(validate.err().contains("2 violations"), validate.err());
    }

    @Test
    void badInputExitsTwoWithOneLine() throws Exception {
        Run size = run("world", "--out", dir.resolve("x").toString(), "--count", "2", "--size", "1000");
        assertEquals(2, size.exit());
        assertEquals("error: --size: expected 32 to 512 pixels, got 1000", size.err().strip());
        Files.writeString(dir.resolve("file.txt"), "x");
        Run notEmpty = run("world", "--out", dir.toString(), "--count", "2");
        assertEquals(2, notEmpty.exit());
        assertTrue(notEmpty.err().contains("not empty"), notEmpty.err());
        Run missing = run("data", "stats", dir.resolve("nope").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("nope: no such directory"), missing.err());
        Files.writeString(dir.resolve("panoptic.json"), "{\"annotations\": [");
        Run malformed = run("data", "stats", dir.toString());
        assertEquals(2, malformed.exit());
        assertTrue(malformed.err().startsWith("error: panoptic.json:1: malformed JSON"), malformed.err());
        assertEquals(2, run("data").exit());
    }
}
