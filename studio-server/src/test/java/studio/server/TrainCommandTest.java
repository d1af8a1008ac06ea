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
import studio.server.CliRun.Run;

/** {@code studio train} on the committed tiny preset (a few steps), resume, and bad input. */
class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PRESET = Path.of("../configs/train/lora-tiny.json");

    @TempDir
    Path dir;

    @Test
    void trainsTheTinyPresetThenResumesItLonger() throws Exception {
        Path runDir = dir.resolve("run");
        Run r = run("train", "--config", PRESET.toString(), "--set", "output_dir=" + runDir,
                "--set", "data.dir=" + dir.resolve("world"), "--set", "data.world.count=4", "--set", "steps=2",
                "--set", "checkpoint.every=1", "--set", "validation.every=0", "--set", "eval_every=0",
                "--set", "log_every=1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("resolved config:"), r.out());
        assertTrue(r.out().contains("\"last_loss\""), r.out());
        assertTrue(Files.exists(runDir.resolve("pytorch_lora_weights.safetensors")));
        assertTrue(Files.readString(runDir.resolve("config.json")).contains("\"steps\" : 2"));
        Run again = run("train", "--resume", runDir.toString(), "--set", "steps=3");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("resuming from"), again.err());
        assertEquals(3, Files.readAllLines(runDir.resolve("metrics.jsonl")).size());
    }

    @Test
    void unknownTaskAndUnknownKeyAreBadInput() throws Exception {
        Path cfg = dir.resolve("x.json");
        Files.writeString(cfg, "{\"task\": \"pancaper2\"}");
        Run r = run("train", "--config", cfg.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown task 'pancaper2'"), r.err());
        Files.writeString(cfg, "{\"task\": \"pancaper\", \"stepz\": 3}");
        assertEquals(2, run("train", "--config", cfg.toString()).exit());
        Run k = run("train", "--config", PRESET.toString(), "--set", "optimizer.lrr=1");
        assertEquals(2, k.exit());
        assertTrue(k.err().contains("optimizer.lrr"), k.err());
        assertEquals(2, run("train").exit());
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
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isRegularFile(runDir.resolve("model/model.safetensors")));
        assertTrue(Files.isRegularFile(runDir.resolve("checkpoints/step-00000002/state.json")));
        Path world = dir.resolve("w");
        assertEquals(0, run("world", "--out", world.toString(), "--count", "2", "--size", "32", "--seed", "9").exit());
        Path pred = dir.resolve("pred");
        Run p = run("eval", "predict", "--model", "pancap:" + runDir.resolve("model"), "--data", world.toString(), "--out", pred.toString());
        assertEquals(0, p.exit(), p.err());
        JsonNode pq = JSON.readTree(run("eval", "pq", "--gt", world.toString(), "--pred", pred.toString()).out());
        assertEquals(2, pq.get("images").asInt());
        assertEquals(0, run("eval", "caption", "--gt", world.toString(), "--pred", pred.toString()).exit());
    }

    @Test
    void tokenizersTaskWritesLoadableFolders() throws Exception {
        Path out = dir.resolve("tok");
        Run r = run("train", "--config", "../configs/train/pancap-tiny-tokenizers.json", "--set", "output_dir=" + out,
                "--set", "world.count=6", "--set", "world.size=32");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"clip_merges\""), r.out());
        assertTrue(studio.diffusion.text.ClipTokenizer.load(out.resolve("tokenizer")).encode("a red cube").size() > 0);
        try (var t5 = studio.diffusion.text.T5Tokenizer.load(out.resolve("tokenizer_3"))) {
            assertEquals(1, t5.eos());
        }
    }

    @Test
    void vaeTaskTrainsThenResumes() throws Exception {
        Path runDir = dir.resolve("vae");
        Run r = run("train", "--config", "../configs/train/pancap-tiny-vae.json", "--set", "output_dir=" + runDir,
                "--set", "data.dir=" + dir.resolve("world32"), "--set", "data.world.count=2", "--set", "data.world.size=32",
                "--set", "data.resolution=32", "--set", "vae.block_out_channels=[8, 16]", "--set", "vae.norm_num_groups=4",
                "--set", "batch_size=1", "--set", "steps=1", "--set", "samples.every=0", "--set", "stats_images=1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"scaling_factor\""), r.out());
        assertTrue(Files.exists(runDir.resolve("vae/config.json")));
        Run again = run("train", "--resume", runDir.toString(), "--set", "steps=2");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("resuming from"), again.err());
    }

    @Test
    void t5TaskNamesABadKeyAndAMissingImageTower() throws Exception {
        String config = "../configs/train/pancap-tiny-t5.json";
        Run k = run("train", "--config", config, "--set", "model.d_modell=8");
        assertEquals(2, k.exit(), k.err());
        assertTrue(k.err().contains("model.d_modell"), k.err());
        Run t = run("train", "--config", config, "--set", "output_dir=" + dir.resolve("t5"),
                "--set", "image_encoder=" + dir.resolve("no-clip"));
        assertEquals(2, t.exit(), t.err());
        assertTrue(t.err().contains("image_encoder"), t.err());
    }
}
