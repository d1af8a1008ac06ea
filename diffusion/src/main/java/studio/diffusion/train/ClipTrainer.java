package studio.diffusion.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import studio.core.config.Configs;
import studio.core.train.Progress;
import studio.diffusion.text.ClipTextModel;
import studio.diffusion.text.ClipTokenizer;
import studio.diffusion.text.ClipVisionModel;

/**
 * Trains pancap-tiny's CLIP (issue 6): one {@link ClipVisionModel} against two {@link ClipTextModel} towers
 * (CLIP-L-class on {@code tokenizer/}, bigG-class on {@code tokenizer_2/}) with CLIP's symmetric InfoNCE loss
 * (Radford et al. 2021, "Learning Transferable Visual Models From Natural Language Supervision", Fig. 3): logits =
 * exp(t)·normalise(image)·normalise(text)ᵀ, cross-entropy over rows and columns, t learned and clamped at ln 100;
 * the two towers' losses are summed. Each image takes its long (tags stripped) or short caption with probability
 * {@code short_ratio}. Checkpoints resume exactly (weights, AdamW moments, caption RNG, data position; the loop is
 * {@link ContrastiveRun}'s); the end
 * writes {@code text_encoder/}, {@code text_encoder_2/} (CLIPTextModelWithProjection, as SD3's) and
 * {@code image_encoder/} (CLIPVisionModelWithProjection: the world's CLIPScore / FD model).
 */
public final class ClipTrainer extends ContrastiveRun {
    static final String WEIGHTS = "clip.safetensors";
    static final String[] PARTS = {"image_encoder", "text_encoder", "text_encoder_2"};

    /** The run folder, steps, last loss, and the three written model folders. */
    public record Result(Path runDir, long steps, double lastLoss, List<Path> folders) {}

    /** The three towers and the temperature, all trainable, keyed {@code <part>.<transformers key>} and {@code logit_scale}. */
    record Towers(ClipVisionModel image, ClipTextModel textL, ClipTextModel textG, NDArray logitScale, Map<String, NDArray> params) {}

    private final ClipTrainConfig c;
    private final ClipTokenizer tokL;
    private final ClipTokenizer tokG;
    private Towers t;

    private ClipTrainer(ClipTrainConfig c, ClipPairs pairs, Progress progress, Consumer<String> log) throws IOException {
        super(new Plan(c.seed(), c.steps(), c.batchSize(), c.logEvery(), 0, c.data().shortRatio(), c.optimizer(),
                c.schedule(), c.checkpoint(), Configs.toJson(c)), Path.of(c.outputDir()), pairs, WEIGHTS, progress, log);
        this.c = c;
        this.tokL = ClipTokenizer.load(Path.of(c.tokenizers()).resolve("tokenizer"));
        this.tokG = ClipTokenizer.load(Path.of(c.tokenizers()).resolve("tokenizer_2"));
    }

    public static Result run(ClipTrainConfig c, boolean resume, Progress progress, Consumer<String> log) throws IOException {
        c.check();
        Outcome o = new ClipTrainer(c, ClipPairs.load(c.data(), log), progress, log).run(resume);
        return new Result(Path.of(c.outputDir()), o.steps(), o.lastLoss(), o.folders());
    }

    /** The towers from PyTorch-style initial weights seeded with the run seed (a resume rebuilds, then overwrites them). */
    @Override
    Map<String, NDArray> build(NDManager manager) {
        Engine.getInstance().setRandomSeed((int) c.seed());
        Map<String, NDArray> params = new LinkedHashMap<>();
        RecordingParams root = new RecordingParams(new InitParams(manager, ""), params);
        ClipVisionModel image = ClipVisionModel.of(root.pp(PARTS[0]), c.visionConfig());
        ClipTextModel textL = ClipTextModel.of(root.pp(PARTS[1]), c.textConfig(c.text(), tokL.eos() + 1));
        ClipTextModel textG = ClipTextModel.of(root.pp(PARTS[2]), c.textConfig(c.text2(), tokG.eos() + 1));
        NDArray scale = manager.full(new Shape(1), (float) c.logitScaleInit(), DataType.FLOAT32);
        params.put("logit_scale", scale);
        params.values().forEach(p -> p.setRequiresGradient(true));
        t = new Towers(image, textL, textG, scale, params);
        return params;
    }

    /** Forward all towers, the two InfoNCE losses, backward: returns {total, loss vs CLIP-L-class, loss vs bigG-class, accuracy}. */
    @Override
    double[] forwardBackward(int[] idx, List<String> texts, NDManager scope) {
        NDArray px = pairs.pixels(scope, idx);
        NDArray idsL = ClipPairs.ids(scope, tokL, texts);
        NDArray idsG = ClipPairs.ids(scope, tokG, texts);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray scale = t.logitScale().clip(0.0, Math.log(100)).exp();
            NDArray img = ContrastiveLoss.normalise(t.image().forward(px).imageEmbeds());
            NDArray[] l = ContrastiveLoss.infoNce(img, ContrastiveLoss.normalise(t.textL().forward(idsL).pooled()), scale);
            NDArray[] g = ContrastiveLoss.infoNce(img, ContrastiveLoss.normalise(t.textG().forward(idsG).pooled()), scale);
            NDArray total = l[0].add(g[0]);
            double[] out = {total.getFloat(), l[0].getFloat(), g[0].getFloat(), l[1].getFloat()};
            gc.backward(total);
            return out;
        }
    }

    @Override
    List<String> termNames() {
        return List.of("loss", "loss_text", "loss_text_2", "batch_accuracy");
    }

    @Override
    List<Path> write(Map<String, NDArray> params) throws IOException {
        return ClipFolders.write(runDir, c, params, tokL.eos() + 1, tokG.eos() + 1);
    }
}
