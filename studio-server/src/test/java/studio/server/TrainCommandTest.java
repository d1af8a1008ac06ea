package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void unknownTaskAndUnknownKeyAreBadInput() throws Exception {
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, "{\"task\": \"nope\"}");
        Run r = run("train", "--config", cfg.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.exit());
        assertTrue(r.err().contains("unknown task 'nope'"), r.err());
        Files.writeString(cfg, "{\"task\": \"pancaper\", \"stepz\": 3}");
        assertEquals(Main.EXIT_BAD_INPUT, run("train", "--config", cfg.toString()).exit());
    }

    @Test
    void trainsATinyPancaperThenPredictsAndScoresAHeldOutWorld() throws Exception {
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, "{\"task\": \"pancaper\"}");
        Path runDir = dir.resolve("run");
        Run r = run("train", "--config", cfg.toString(), "--set", "output_dir=" + runDir, "--set", "steps=2",
                "--set", "batch_size=2", "--set", "world.size=32", "--set", "world.vocab_captions=20", "--set", "heldout.count=2",
                "--set", "model.width=16", "--set", "model.pixel_dim=8", "--set", "model.stem_channels=8", "--set", "model.heads=2",
                "--set", "model.queries=6", "--set", "model.max_tokens=24");
        assertEquals(Main.EXIT_OK, r.exit(), r.err());
        assertTrue(Files.isRegularFile(runDir.resolve("model/model.safetensors")));
        assertTrue(Files.isRegularFile(runDir.resolve("checkpoints/step-00000002/state.json")));
        Path world = dir.resolve("w");
        assertEquals(0, run("world", "--out", world.toString(), "--count", "2", "--size", "32", "--seed", "9").exit());
        Path pred = dir.resolve("pred");
        Run p = run("eval", "predict", "--model", "pancap:" + runDir.resolve("model"), "--data", world.toString(), "--out", pred.toString());
        assertEquals(Main.EXIT_OK, p.exit(), p.err());
        JsonNode pq = JSON.readTree(run("eval", "pq", "--gt", world.toString(), "--pred", pred.toString()).out());
        assertEquals(2, pq.get("images").asInt());
        assertEquals(Main.EXIT_OK, run("eval", "caption", "--gt", world.toString(), "--pred", pred.toString()).exit());
    }
}
