package studio.diffusion.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import studio.core.config.Configs;
import studio.core.safetensors.SafeTensorsWriter;
import studio.core.train.AdamW;
import studio.core.train.Checkpoints;
import studio.core.train.Grads;
import studio.core.train.LrSchedule;
import studio.core.train.MetricsLog;
import studio.core.train.NonFiniteLossException;
import studio.core.train.Progress;
import studio.core.train.Rng;
import studio.core.train.TrainState;
import studio.diffusion.text.ClipTextModel;
import studio.diffusion.text.ClipTokenizer;
import studio.diffusion.text.ClipVisionModel;

/**
 * Trains pancap-tiny's CLIP (issue 6): one {@link ClipVisionModel} against two {@link ClipTextModel} towers
 * (CLIP-L-class on {@code tokenizer/}, bigG-class on {@code tokenizer_2/}) with CLIP's symmetric InfoNCE loss
 * (Radford et al. 2021, "Learning Transferable Visual Models From Natural Language Supervision", Fig. 3): logits =
 * exp(t)·normalise(image)·normalise(text)ᵀ, cross-entropy over rows and columns, t learned and clamped at ln 100;
 * the two towers' losses are summed. Each image takes its long (tags stripped) or short caption with probability
 * {@code short_ratio}. Checkpoints resume exactly (weights, AdamW moments, caption RNG, data position); the end
 * writes {@code text_encoder/}, {@code text_encoder_2/} (CLIPTextModelWithProjection, as SD3's) and
 * {@code image_encoder/} (CLIPVisionModelWithProjection: the world's CLIPScore / FD model).
 */
public final class ClipTrainer {
    static final String WEIGHTS = "clip.safetensors";
    static final String[] PARTS = {"image_encoder", "text_encoder", "text_encoder_2"};

    /** The run folder, steps, last loss, and the three written model folders. */
    public record Result(Path runDir, long steps, double lastLoss, List<Path> folders) {}

    /** The three towers and the temperature, all trainable, keyed {@code <part>.<transformers key>} and {@code logit_scale}. */
    record Towers(ClipVisionModel image, ClipTextModel textL, ClipTextModel textG, NDArray logitScale, Map<String, NDArray> params) {}

    private final ClipTrainConfig c;
    private final Path runDir;
    private final Progress progress;
    private final Consumer<String> log;
    private final Checkpoints checkpoints;
    private final ClipPairs pairs;
    private final ClipTokenizer tokL;
    private final ClipTokenizer tokG;
    private Rng captionRng;
    private int epoch;
    private int batchInEpoch;

    private ClipTrainer(ClipTrainConfig c, Progress progress, Consumer<String> log) throws IOException {
        this.c = c;
        this.runDir = Path.of(c.outputDir());
        this.progress = progress;
        this.log = log;
        this.checkpoints = new Checkpoints(runDir, c.checkpoint().keep());
        this.tokL = ClipTokenizer.load(Path.of(c.tokenizers()).resolve("tokenizer"));
        this.tokG = ClipTokenizer.load(Path.of(c.tokenizers()).resolve("tokenizer_2"));
        this.pairs = ClipPairs.load(c.data(), log);
    }

    public static Result run(ClipTrainConfig c, boolean resume, Progress progress, Consumer<String> log) throws IOException {
        c.check();
        boolean gradMode = Grads.gradMode(false);
        Grads.graphOptimizer(false);
        try {
            return new ClipTrainer(c, progress, log).train(resume);
        } finally {
            Grads.gradMode(gradMode);
            Grads.graphOptimizer(Grads.graphOptimizerDefault());
        }
    }

    private Result train(boolean resume) throws IOException {
        Files.createDirectories(runDir);
        checkpoints.cleanTemps();
        long start = resume ? resumeState() : freshStart();
        Files.writeString(runDir.resolve("config.json"), Configs.toJson(c));
        try (NDManager manager = NDManager.newBaseManager()) {
            Towers t = build(manager);
            try (AdamW opt = new AdamW(t.params(), new AdamW.Hyper(c.optimizer().beta1(), c.optimizer().beta2(),
                    c.optimizer().eps(), c.optimizer().weightDecay()))) {
                if (start > 0) {
                    Checkpoints.restore(checkpoints.requireLatest(), WEIGHTS, t.params(), opt);
                }
                double last = loop(t, opt, manager, start);
                List<Path> folders = ClipFolders.write(runDir, c, t.params(), tokL.eos() + 1, tokG.eos() + 1);
                return new Result(runDir, c.steps(), last, folders);
            }
        }
    }

    /** The towers from PyTorch-style initial weights seeded with the run seed (a resume rebuilds, then overwrites them). */
    private Towers build(NDManager manager) {
        Engine.getInstance().setRandomSeed((int) c.seed());
        Map<String, NDArray> params = new LinkedHashMap<>();
        RecordingParams root = new RecordingParams(new InitParams(manager, ""), params);
        ClipVisionModel image = ClipVisionModel.of(root.pp(PARTS[0]), c.visionConfig());
        ClipTextModel textL = ClipTextModel.of(root.pp(PARTS[1]), c.textConfig(c.text(), tokL.eos() + 1));
        ClipTextModel textG = ClipTextModel.of(root.pp(PARTS[2]), c.textConfig(c.text2(), tokG.eos() + 1));
        NDArray scale = manager.full(new Shape(1), (float) c.logitScaleInit(), DataType.FLOAT32);
        params.put("logit_scale", scale);
        params.values().forEach(p -> p.setRequiresGradient(true));
        return new Towers(image, textL, textG, scale, params);
    }

    private long freshStart() throws IOException {
        checkpoints.requireNone();
        captionRng = Rng.of(c.seed(), 3);
        return 0;
    }

    private long resumeState() throws IOException {
        Path latest = checkpoints.requireLatest();
        TrainState s = TrainState.read(latest);
        captionRng = Rng.restore(s.rngs().get("caption"));
        epoch = s.epoch();
        batchInEpoch = s.batchInEpoch();
        log.accept("resuming from " + latest + " (step " + s.step() + ")");
        return s.step();
    }

    private double loop(Towers t, AdamW opt, NDManager manager, long start) throws IOException {
        LrSchedule schedule = new LrSchedule(LrSchedule.Kind.parse(c.schedule().kind()), c.optimizer().lr(),
                c.schedule().warmupSteps(), c.steps());
        long t0 = System.nanoTime();
        double loss = Double.NaN;
        try (MetricsLog metrics = MetricsLog.open(runDir.resolve("metrics.jsonl"), start)) {
            for (long step = start; step < c.steps(); step++) {
                double lr = schedule.lr((int) step);
                double[] terms;
                float norm;
                try (NDManager scope = manager.newSubManager()) {
                    terms = microStep(t, nextBatch(), scope);
                    loss = terms[0];
                    if (!Double.isFinite(loss)) {
                        throw new NonFiniteLossException(step + 1, "the loss", loss, lastGood());
                    }
                    Map<String, NDArray> grads = Grads.of(t.params(), scope);
                    norm = Grads.clipGlobalNorm(grads.values(), c.optimizer().maxGradNorm());
                    opt.step(grads, lr);
                }
                Grads.zero(t.params());
                long done = step + 1;
                double seconds = (System.nanoTime() - t0) / 1e9;
                double ips = (done - start) * Math.min(c.batchSize(), pairs.count()) / seconds;
                if (done % c.logEvery() == 0 || done == c.steps()) {
                    metrics.append(record(done, terms, lr, norm, ips));
                }
                progress.onStep(new Progress.Step(done, c.steps(), loss, lr, norm, ips, seconds / (done - start) * (c.steps() - done)));
                if (done % c.checkpoint().every() == 0 || done == c.steps()) {
                    checkpoint(done, t.params(), opt);
                }
            }
        }
        return loss;
    }

    /** The next batch of the epoch's permutation (a function of seed and epoch: resuming needs only the position). */
    private int[] nextBatch() {
        int n = pairs.count();
        int per = Math.min(c.batchSize(), n);
        if ((batchInEpoch + 1) * per > n) {
            epoch++;
            batchInEpoch = 0;
        }
        int[] order = Rng.of(c.seed(), 100 + epoch).permutation(n);
        int[] idx = new int[per];
        System.arraycopy(order, batchInEpoch * per, idx, 0, per);
        batchInEpoch++;
        return idx;
    }

    /** Forward all towers, the two InfoNCE losses, backward: returns {total, loss vs CLIP-L-class, loss vs bigG-class, accuracy}. */
    private double[] microStep(Towers t, int[] idx, NDManager scope) {
        List<String> texts = new ArrayList<>(idx.length);
        for (int i : idx) {
            ClipPairs.Pair p = pairs.get(i);
            texts.add(captionRng.nextDouble() < c.data().shortRatio() ? p.shortCaption() : p.longCaption());
        }
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

    private Map<String, Object> record(long step, double[] terms, double lr, float norm, double ips) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step", step);
        r.put("loss", terms[0]);
        r.put("loss_text", terms[1]);
        r.put("loss_text_2", terms[2]);
        r.put("batch_accuracy", terms[3]);
        r.put("lr", lr);
        r.put("grad_norm", norm);
        r.put("images_per_s", ips);
        r.put("epoch", epoch);
        return r;
    }

    private void checkpoint(long step, Map<String, NDArray> params, AdamW opt) throws IOException {
        TrainState s = new TrainState(step, epoch, batchInEpoch, Map.of("caption", captionRng.state()), Configs.toJson(c),
                Map.of());
        checkpoints.save(step, folder -> {
            SafeTensorsWriter w = new SafeTensorsWriter();
            params.forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
            w.write(folder.resolve(WEIGHTS));
            SafeTensorsWriter o = new SafeTensorsWriter();
            opt.save(o);
            o.write(folder.resolve("optimizer.safetensors"));
            s.write(folder); // last: marks the checkpoint complete
        });
    }

    private String lastGood() {
        try {
            return checkpoints.latest().map(Path::toString).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
