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

/** {@code max_minutes}: a spent budget ends the run cleanly (checkpoint, final weights) and --resume finishes it. */
class MaxMinutesTest {
    @TempDir
    Path dir;

    @Test
    void aSpentBudgetStopsAfterTheCurrentStepAndResumeFinishes() throws Exception {
        Path runDir = dir.resolve("run");
        // 1e-6 minutes is spent by the first update: the run stops after step 1 of 4
        String[] r = run("train", "--config", "../configs/train/lora-tiny.json", "--set", "output_dir=" + runDir,
                "--set", "data.dir=" + dir.resolve("world"), "--set", "data.world.count=4", "--set", "steps=4",
                "--set", "max_minutes=0.000001", "--set", "checkpoint.every=10", "--set", "validation.every=0",
                "--set", "eval_every=0", "--set", "log_every=10");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("max_minutes"), r[2]);
        ObjectMapper json = new ObjectMapper();
        String summary = r[1].substring(r[1].lastIndexOf("\n{") + 1);
        assertEquals(1, json.readTree(summary).get("steps").asInt(), summary);
        assertTrue(Files.isRegularFile(runDir.resolve("pytorch_lora_weights.safetensors")));
        assertTrue(Files.isDirectory(runDir.resolve("checkpoints/step-00000001")));
        List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertEquals(1, json.readTree(lines.get(lines.size() - 1)).get("step").asInt());
        String[] again = run("train", "--resume", runDir.toString(), "--set", "max_minutes=0");
        assertEquals("0", again[0], again[2]);
        JsonNode done = json.readTree(again[1].substring(again[1].lastIndexOf("\n{") + 1));
        assertEquals(4, done.get("steps").asInt());
        assertTrue(Files.isDirectory(runDir.resolve("checkpoints/step-00000004")));
        assertEquals("2", run("train", "--config", "../configs/train/lora-tiny.json", "--set", "max_minutes=-1")[0]);
    }
}
