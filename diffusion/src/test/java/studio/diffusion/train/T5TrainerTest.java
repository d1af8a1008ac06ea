package studio.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.BadInputException;
import studio.core.config.Configs;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;
import studio.core.safetensors.TensorInfo;
import studio.core.train.Progress;
import studio.diffusion.text.ClipConfig;
import studio.diffusion.text.ClipVisionConfig;
import studio.diffusion.text.ClipVisionModel;
import studio.diffusion.text.T5Encoder;
import studio.diffusion.text.T5Tokenizer;

/** The "t5" task: a tiny T5 against a random tiny frozen image tower over a 4-image 32-px world with its own tokenizers. */
class T5TrainerTest {
    @TempDir
    static Path dir;
    static ContrastiveFixture fx;
    static Path imageEncoder;

    @BeforeAll
    static void worldTokenizersAndImageTower() throws Exception {
        fx = ContrastiveFixture.create(dir);
        imageEncoder = dir.resolve("image_encoder");
        Files.createDirectories(imageEncoder);
        ClipVisionConfig vc = new ClipVisionConfig(32, 64, 2, 2, 32, 8, 3, ClipConfig.Activation.QUICK_GELU, 1e-5, 16);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            Map<String, NDArray> params = new LinkedHashMap<>();
            ClipVisionModel.of(new RecordingParams(new InitParams(m, ""), params), vc);
            SafeTensorsWriter w = new SafeTensorsWriter();
            params.forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
            w.write(imageEncoder.resolve("model.safetensors"));
        }
        Files.writeString(imageEncoder.resolve("config.json"), ClipFolders.vision(vc).toString());
    }

    private static T5TrainConfig config(Path out, String... sets) {
        List<String> model = List.of("image_encoder=" + imageEncoder, "max_tokens=64", "model.d_model=32", "model.d_kv=8",
                "model.num_heads=2", "model.d_ff=64", "model.num_layers=2");
        return Configs.resolve(T5TrainConfig.preset(), null, fx.sets(out, model, sets), T5TrainConfig.class, "test");
    }

    @Test
    void lossFallsAndTheFolderLoadsStrictlyAsT5Encoder() throws Exception {
        Path run = dir.resolve("fall");
        T5Trainer.Result r = T5Trainer.run(config(run, "steps=25", "checkpoint.every=25", "data.short_ratio=1"),
                false, Progress.NONE, s -> { });
        List<Double> l = TinyRuns.column(run, "loss");
        double chance = Math.log(4); // one InfoNCE term (½ rows + ½ columns) at uniform logits
        assertTrue(l.get(24) < 0.5 * chance && l.get(24) < 0.5 * l.get(0),
                "loss " + l.get(0) + " → " + l.get(24) + " (chance ln B = " + chance + ")");
        assertEquals(1.0, TinyRuns.column(run, "batch_accuracy").get(24), 1e-9, "every image finds its caption in the batch");
        assertEquals(25, r.steps());
        assertEquals(run.resolve("text_encoder_3"), r.folder());
        try (SafeTensors f = SafeTensors.open(r.folder())) {
            List<String> names = f.tensors().stream().map(TensorInfo::name).toList();
            assertTrue(names.contains("shared.weight"), names.toString());
            assertTrue(names.stream().noneMatch(k -> k.startsWith("projection") || k.equals("logit_scale")),
                    "the training-only projection and temperature are dropped: " + names);
        }
        try (NDManager m = NDManager.newBaseManager(); T5Tokenizer tok = T5Tokenizer.load(fx.tokenizers().resolve("tokenizer_3"))) {
            T5Encoder enc = T5Encoder.load(r.folder(), m, Precision.F32); // strict: a missing or mis-shaped key throws
            assertTrue(enc.loadReport().unused().isEmpty(), "unused: " + enc.loadReport().unused());
            assertEquals(tok.vocabSize(), enc.config().vocabSize());
            assertEquals(8, enc.config().dKv());
            NDArray ids = m.create(tok.ids(tok.encode("a red square"), 16), new ai.djl.ndarray.types.Shape(1, 16));
            assertEquals(new ai.djl.ndarray.types.Shape(1, 16, 32), enc.forward(ids).getShape());
        }
    }

    @Test
    void resumedRunRepeatsTheUninterruptedOneExactly() throws Exception {
        Path[] runs = ContrastiveFixture.wholeAndResumed(dir, (out, resume, sets) ->
                T5Trainer.run(config(out, sets), resume, Progress.NONE, s -> { }));
        Path whole = runs[0];
        Path split = runs[1];
        try (SafeTensors a = SafeTensors.open(whole.resolve("text_encoder_3"));
             SafeTensors b = SafeTensors.open(split.resolve("text_encoder_3"))) {
            List<String> names = a.tensors().stream().map(TensorInfo::name).toList();
            assertEquals(names, b.tensors().stream().map(TensorInfo::name).toList());
            for (String k : names) {
                assertArrayEquals(a.readFloats(k), b.readFloats(k), k);
            }
        }
    }

    @Test
    void timeBudgetEndsTheRunWithItsWeightsSaved() throws Exception {
        Path run = dir.resolve("budget");
        T5Trainer.Result r = T5Trainer.run(config(run, "steps=1000", "max_minutes=1e-9", "checkpoint.every=500"),
                false, Progress.NONE, s -> { });
        assertEquals(1, r.steps(), "a run always makes one step, then the budget stops it");
        assertTrue(Files.exists(run.resolve("text_encoder_3/model.safetensors")));
        assertTrue(Files.exists(run.resolve("checkpoints").resolve(studio.core.train.Checkpoints.name(r.steps()))));
    }

    @Test
    void badConfigKeyAndBadInputsAreNamed() {
        BadInputException unknown = assertThrows(BadInputException.class, () -> config(dir.resolve("x"), "model.d_modle=8"));
        assertTrue(unknown.getMessage().contains("d_modle"), unknown.getMessage());
        BadInputException ff = assertThrows(BadInputException.class,
                () -> config(dir.resolve("x"), "model.feed_forward_proj=relu").check());
        assertTrue(ff.getMessage().contains("feed_forward_proj"), ff.getMessage());
        BadInputException tower = assertThrows(BadInputException.class, () -> T5Trainer.run(
                config(dir.resolve("y"), "image_encoder=" + dir.resolve("none")), false, Progress.NONE, s -> { }));
        assertTrue(tower.getMessage().contains("image_encoder"), tower.getMessage());
    }
}
