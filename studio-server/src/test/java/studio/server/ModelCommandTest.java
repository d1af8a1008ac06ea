package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.server.CliRun.Run;

/** {@code studio model assemble} on the committed tiny SD3 parts: JSON report, then {@code generate} loads the folder; bad input exits 2. */
class ModelCommandTest {
    private static final Path TINY = Path.of("../diffusion/src/test/resources/fixtures/pipeline/tiny-sd3");

    @TempDir
    Path dir;

    @Test
    void assemblesThenGenerateLoadsIt() throws Exception {
        Path out = dir.resolve("tiny");
        String t = TINY.toString();
        Run r = run("model", "assemble", "--out", out.toString(), "--tokenizers", t, "--clip", t, "--t5", t,
                "--vae", t, "--transformer", TINY.resolve("transformer").toString(), "--shift", "2.5");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(10, j.get("parts").size());
        assertTrue(j.get("total_mb").asDouble() > 0.5 && j.get("total_mb").asDouble() < 5, r.out());
        assertFalse(j.get("over_100_mb").asBoolean());
        assertEquals(2.5, new ObjectMapper().readTree(out.resolve("scheduler/scheduler_config.json").toFile())
                .get("shift").asDouble());
        Run g = run("generate", "--model", out.toString(), "--prompt", "a red circle", "--steps", "2", "--seed", "1",
                "--out", dir.resolve("x.png").toString());
        assertEquals(0, g.exit(), g.err());
        assertTrue(Files.isRegularFile(dir.resolve("x.png")));
        // a second assemble into the same folder is refused, exit 2
        Run again = run("model", "assemble", "--out", out.toString(), "--tokenizers", t, "--clip", t, "--t5", t);
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("not empty"), again.err());
    }

    @Test
    void aMissingPartExitsTwoNamingIt() {
        String t = TINY.toString();
        Run r = run("model", "assemble", "--out", dir.resolve("m").toString(), "--tokenizers", t, "--clip", t);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--t5"), r.err());
        Run v = run("model", "assemble", "--out", dir.resolve("m").toString(), "--tokenizers", t, "--clip", t,
                "--t5", t, "--transformer", TINY.resolve("transformer").toString());
        assertEquals(2, v.exit());
        assertTrue(v.err().contains("--vae"), v.err());
        Run tok = run("model", "assemble", "--out", dir.resolve("m").toString(), "--tokenizers",
                TINY.resolve("vae").toString(), "--clip", t, "--t5", t);
        assertEquals(2, tok.exit());
        assertTrue(tok.err().contains("--tokenizers") && tok.err().contains("tokenizer/"), tok.err());
        assertFalse(Files.exists(dir.resolve("m")));
    }
}
