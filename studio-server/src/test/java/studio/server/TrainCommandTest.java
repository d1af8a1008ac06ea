package studio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code studio train} on the committed tiny preset (a few steps), resume, and bad input. */
class TrainCommandTest {
    private static final Path PRESET = Path.of("../configs/train/lora-tiny.json");

    @TempDir
    Path dir;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

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
        assertTrue(r[2].contains("unknown 'pancaper2'"), r[2]);
        String[] k = run("train", "--config", PRESET.toString(), "--set", "optimizer.lrr=1");
        assertEquals("2", k[0]);
        assertTrue(k[2].contains("optimizer.lrr"), k[2]);
        assertEquals("2", run("train")[0]);
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
}
