package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.server.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code studio train} on the committed tiny preset (a few steps), resume, and bad input. */
class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PRESET = Path.of("../configs/train/lora-tiny.json");

    @TempDir
    Path dir;

    @Test
    void trainsTheTinyPresetThenResumesItLonger() throws Exception {
        Path runDir = dir.resolve("run");
        String[] r = run("train", "--config", PRESET.toString(), "--set", "output_dir=" + runDir,
                "--set", "data.dir=" + dir.resolve("world"), "--set", "data.world.count=4", "--set", "steps=2",
                "--set", "checkpoint.every=1", "--set", "validation.every=0", "--set", "eval_every=0",
                "--set", "log_every=1");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("resolved config:"), r[1]);
        assertTrue(r[1].contains("\"last_loss\""), r[1]);
        assertTrue(Files.exists(runDir.resolve("pytorch_lora_weights.safetensors")));
        assertTrue(Files.readString(runDir.resolve("config.json")).contains("\"steps\" : 2"));
        String[] again = run("train", "--resume", runDir.toString(), "--set", "steps=3");
        assertEquals("0", again[0], again[2]);
        assertTrue(again[2].contains("resuming from"), again[2]);
        assertEquals(3, Files.readAllLines(runDir.resolve("metrics.jsonl")).size());
    }

    @Test
    void unknownTaskAndUnknownKeyAreBadInput() throws Exception {
        Path cfg = dir.resolve("x.json");
        Files.writeString(cfg, "{\"task\": \"pancaper2\"}");
        String[] r = run("train", "--config", cfg.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown task 'pancaper2'"), r[2]);
        Files.writeString(cfg, "{\"task\": \"pancaper\", \"stepz\": 3}");
        assertEquals("2", run("train", "--config", cfg.toString())[0]);
        String[] k = run("train", "--config", PRESET.toString(), "--set", "optimizer.lrr=1");
        assertEquals("2", k[0]);
        assertTrue(k[2].contains("optimizer.lrr"), k[2]);
        assertEquals("2", run("train")[0]);
    }

    @Test
    void trainsATinyPancaperThenPredictsAndScoresAHeldOutWorld() throws Exception {
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, "{\"task\": \"pancaper\"}");
        Path runDir = dir.resolve("run");
        String[] r = run("train", "--config", cfg.toString(), "--set", "output_dir=" + runDir, "--set", "steps=2",
                "--set", "batch_size=2", "--set", "world.size=32", "--set", "world.vocab_captions=20", "--set", "heldout.count=2",
                "--set", "model.width=16", "--set", "model.pixel_dim=8", "--set", "model.stem_channels=8", "--set", "model.heads=2",
                "--set", "model.queries=6", "--set", "model.max_tokens=24");
        assertEquals("0", r[0], r[2]);
        assertTrue(Files.isRegularFile(runDir.resolve("model/model.safetensors")));
        assertTrue(Files.isRegularFile(runDir.resolve("checkpoints/step-00000002/state.json")));
        Path world = dir.resolve("w");
        assertEquals("0", run("world", "--out", world.toString(), "--count", "2", "--size", "32", "--seed", "9")[0]);
        Path pred = dir.resolve("pred");
        String[] p = run("eval", "predict", "--model", "pancap:" + runDir.resolve("model"), "--data", world.toString(), "--out", pred.toString());
        assertEquals("0", p[0], p[2]);
        JsonNode pq = JSON.readTree(run("eval", "pq", "--gt", world.toString(), "--pred", pred.toString())[1]);
        assertEquals(2, pq.get("images").asInt());
        assertEquals("0", run("eval", "caption", "--gt", world.toString(), "--pred", pred.toString())[0]);
    }

    @Test
    void tokenizersTaskWritesLoadableFolders() throws Exception {
        Path out = dir.resolve("tok");
        String[] r = run("train", "--config", "../configs/train/pancap-tiny-tokenizers.json", "--set", "output_dir=" + out,
                "--set", "world.count=6", "--set", "world.size=32");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\"clip_merges\""), r[1]);
        assertTrue(studio.diffusion.text.ClipTokenizer.load(out.resolve("tokenizer")).encode("a red cube").size() > 0);
        try (var t5 = studio.diffusion.text.T5Tokenizer.load(out.resolve("tokenizer_3"))) {
            assertEquals(1, t5.eos());
        }
    }

    @Test
    void vaeTaskTrainsThenResumes() throws Exception {
        Path runDir = dir.resolve("vae");
        String[] r = run("train", "--config", "../configs/train/pancap-tiny-vae.json", "--set", "output_dir=" + runDir,
                "--set", "data.dir=" + dir.resolve("world32"), "--set", "data.world.count=2", "--set", "data.world.size=32",
                "--set", "data.resolution=32", "--set", "vae.block_out_channels=[8, 16]", "--set", "vae.norm_num_groups=4",
                "--set", "batch_size=1", "--set", "steps=1", "--set", "samples.every=0", "--set", "stats_images=1");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\"scaling_factor\""), r[1]);
        assertTrue(Files.exists(runDir.resolve("vae/config.json")));
        String[] again = run("train", "--resume", runDir.toString(), "--set", "steps=2");
        assertEquals("0", again[0], again[2]);
        assertTrue(again[2].contains("resuming from"), again[2]);
    }

    @Test
    void t5TaskNamesABadKeyAndAMissingImageTower() throws Exception {
        String config = "../configs/train/pancap-tiny-t5.json";
        String[] k = run("train", "--config", config, "--set", "model.d_modell=8");
        assertEquals("2", k[0], k[2]);
        assertTrue(k[2].contains("model.d_modell"), k[2]);
        String[] t = run("train", "--config", config, "--set", "output_dir=" + dir.resolve("t5"),
                "--set", "image_encoder=" + dir.resolve("no-clip"));
        assertEquals("2", t[0], t[2]);
        assertTrue(t[2].contains("image_encoder"), t[2]);
    }
}
