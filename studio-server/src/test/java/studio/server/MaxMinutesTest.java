package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.server.CliRun.Run;

/** {@code max_minutes}: a spent budget ends the run cleanly (checkpoint, final weights) and --resume finishes it. */
class MaxMinutesTest {
    @TempDir
    Path dir;

    @Test
    void aSpentBudgetStopsAfterTheCurrentStepAndResumeFinishes() throws Exception {
        Path runDir = dir.resolve("run");
        // 1e-6 minutes is spent by the first update: the run stops after step 1 of 4
        Run r = run("train", "--config", "../configs/train/lora-tiny.json", "--set", "output_dir=" + runDir,
                "--set", "data.dir=" + dir.resolve("world"), "--set", "data.world.count=4", "--set", "steps=4",
                "--set", "max_minutes=0.000001", "--set", "checkpoint.every=10", "--set", "validation.every=0",
                "--set", "eval_every=0", "--set", "log_every=10");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("max_minutes"), r.err());
        ObjectMapper json = new ObjectMapper();
        String summary = r.out().substring(r.out().lastIndexOf("\n{") + 1);
        assertEquals(1, json.readTree(summary).get("steps").asInt(), summary);
        assertTrue(Files.isRegularFile(runDir.resolve("pytorch_lora_weights.safetensors")));
        assertTrue(Files.isDirectory(runDir.resolve("checkpoints/step-00000001")));
        List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertEquals(1, json.readTree(lines.get(lines.size() - 1)).get("step").asInt());
        Run again = run("train", "--resume", runDir.toString(), "--set", "max_minutes=0");
        assertEquals(0, again.exit(), again.err());
        JsonNode done = json.readTree(again.out().substring(again.out().lastIndexOf("\n{") + 1));
        assertEquals(4, done.get("steps").asInt());
        assertTrue(Files.isDirectory(runDir.resolve("checkpoints/step-00000004")));
        assertEquals(2, run("train", "--config", "../configs/train/lora-tiny.json", "--set", "max_minutes=-1").exit());
    }
}
