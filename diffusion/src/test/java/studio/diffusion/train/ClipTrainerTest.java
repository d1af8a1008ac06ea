package studio.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.core.config.Configs;
import studio.core.device.Precision;
import studio.core.train.Progress;
import studio.diffusion.text.ClipTextModel;
import studio.diffusion.text.ClipTokenizer;
import studio.diffusion.text.ClipVisionModel;

/** The "clip" task on tiny towers over a 4-image 32-px world with its own tokenizers. */
class ClipTrainerTest {
    @TempDir
    static Path dir;
    static ContrastiveFixture fx;

    @BeforeAll
    static void worldAndTokenizers() throws Exception {
        fx = ContrastiveFixture.create(dir);
    }

    private static ClipTrainConfig config(Path out, String... sets) {
        List<String> model = List.of("vision.hidden_size=32", "vision.intermediate_size=64", "vision.num_hidden_layers=2",
                "vision.num_attention_heads=2", "vision.patch_size=8", "vision.projection_dim=16",
                "text.hidden_size=16", "text.intermediate_size=32", "text.num_hidden_layers=2", "text.num_attention_heads=2",
                "text_2.hidden_size=32", "text_2.intermediate_size=64", "text_2.num_hidden_layers=2",
                "text_2.num_attention_heads=2");
        return Configs.resolve(ClipTrainConfig.preset(), null, fx.sets(out, model, sets), ClipTrainConfig.class, "test");
    }

    @Test
    void contrastiveLossFallsAndTheFoldersLoadAsTransformersModels() throws Exception {
        Path run = dir.resolve("fall");
        ClipTrainer.Result r = ClipTrainer.run(config(run, "steps=25", "checkpoint.every=25", "data.short_ratio=1"),
                false, Progress.NONE, s -> { });
        List<Double> l = TinyRuns.column(run, "loss");
        double chance = 2 * Math.log(4);
        assertTrue(l.get(24) < 0.5 * chance && l.get(24) < 0.5 * l.get(0),
                "loss " + l.get(0) + " → " + l.get(24) + " (chance 2·ln B = " + chance + ")");
        assertEquals(1.0, TinyRuns.column(run, "batch_accuracy").get(24), 1e-9, "every image finds its caption in the batch");
        assertEquals(3, r.folders().size());
        try (NDManager m = NDManager.newBaseManager()) {
            ClipVisionModel image = ClipVisionModel.load(r.folders().get(0), m, Precision.F32);
            ClipTextModel text = ClipTextModel.load(r.folders().get(1), m, Precision.F32);
            ClipTextModel text2 = ClipTextModel.load(r.folders().get(2), m, Precision.F32);
            assertEquals(16, image.config().projectionDim());
            ClipTokenizer tok = ClipTokenizer.load(fx.tokenizers().resolve("tokenizer"));
            NDArray ids = ClipPairs.ids(m, tok, List.of("a red square"));
            assertEquals(16, text.forward(ids).pooled().getShape().get(1));
            assertEquals(ClipTokenizer.load(fx.tokenizers().resolve("tokenizer_2")).eos() + 1, text2.config().vocabSize());
        }
    }

    @Test
    void resumedRunRepeatsTheUninterruptedOneExactly() throws Exception {
        Path[] runs = ContrastiveFixture.wholeAndResumed(dir, (out, resume, sets) ->
                ClipTrainer.run(config(out, sets), resume, Progress.NONE, s -> { }));
        Path whole = runs[0];
        Path split = runs[1];
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray px = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 3, 32, 32));
            assertArrayEquals(ClipVisionModel.load(whole.resolve("image_encoder"), m, Precision.F32).forward(px).imageEmbeds().toFloatArray(),
                    ClipVisionModel.load(split.resolve("image_encoder"), m, Precision.F32).forward(px).imageEmbeds().toFloatArray());
        }
    }
}
