package studio.captioner.pancap;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.captioner.metrics.PanopticQuality;
import studio.core.BadInputException;
import studio.core.data.DataPng;
import studio.core.data.panoptic.IdMask;
import studio.core.data.panoptic.MaskGeometry;
import studio.core.data.panoptic.SegmentInfo;
import studio.core.data.world.WorldGenerator;
import studio.core.data.world.WorldSample;
import studio.core.device.Torch;
import studio.core.safetensors.SafeTensors;
import studio.core.train.AdamW;
import studio.core.train.Checkpoints;
import studio.core.train.GradientUpdate;
import studio.core.train.LrSchedule;
import studio.core.train.Memory;
import studio.core.train.NonFiniteLossException;
import studio.core.train.Progress;
import studio.core.train.Rng;
import studio.core.train.StepLoop;
import studio.core.train.TrainState;

/**
 * Trains the tiny PanCaper on a world generated on the fly (training images: world seed S, random indices
 * below {@code world.count}; held-out images: another seed). One update = one batch: forward, Hungarian
 * matching per decoder layer, Mask2Former losses + caption losses, backward; the update (global-norm clipping, up to
 * {@link #MAX_SKIPPED_IN_A_ROW} − 1 non-finite ones skipped, AdamW), metrics.jsonl, checkpoint cadence, max_minutes
 * and the stop on request are the shared {@link StepLoop}'s. Each step's arrays live in one sub-manager
 * (STYLE.md (c) 2). Checkpoints (model, optimizer, state.json with the data RNG) every
 * {@code checkpoint.every} updates; {@code --resume} continues from the newest one exactly.
 * One run per JVM (GradientCollector is process-global).
 */
public final class PancaperTrainer implements AutoCloseable {
    /** What a finished run reports. */
    public record Result(Path modelDir, long steps, double loss, Map<String, Double> heldout, double seconds, long parameters) {}

    private final PancaperTrainConfig c;
    private final String configJson;
    private final Path runDir;
    private final NDManager manager;
    private final PanCaper model;
    private final AdamW opt;
    private final LrSchedule schedule;
    private final HungarianMatcher matcher;
    private final PancaperLoss loss;
    private final List<WorldSample> heldout = new ArrayList<>();
    /** Non-finite gradient norms tolerated in a row before the run stops (each such update is skipped). */
    static final int MAX_SKIPPED_IN_A_ROW = 5;
    private final GradientUpdate update;
    private Rng dataRng;
    private long step;
    private String lastCheckpoint;

    private PancaperTrainer(PancaperTrainConfig c, String configJson, Path resume) throws IOException {
        this.c = c;
        this.configJson = configJson;
        this.runDir = Path.of(c.outputDir());
        if (c.threads() > 0) {
            Torch.engine();
            JniUtils.setNumThreads(c.threads());
        }
        manager = NDManager.newBaseManager(ai.djl.Device.cpu(), Torch.engine().getEngineName());
        Path from = resume == null ? null : checkpointOf(resume);
        model = from == null ? PanCaper.init(modelConfig(c), manager, c.seed()) : PanCaper.load(from, manager);
        model.parameters().values().forEach(p -> p.setRequiresGradient(true));
        PancaperTrainConfig.Optimizer o = c.optimizer();
        opt = new AdamW(model.parameters(), new AdamW.Hyper(o.beta1(), o.beta2(), o.eps(), o.weightDecay()));
        update = new GradientUpdate(o.maxGradNorm(), MAX_SKIPPED_IN_A_ROW - 1);
        schedule = new LrSchedule(LrSchedule.Kind.parse(o.schedule()), o.lr(), o.warmupSteps(), c.steps());
        PancaperTrainConfig.Loss l = c.loss();
        matcher = new HungarianMatcher(l.classWeight(), l.maskWeight(), l.diceWeight());
        loss = new PancaperLoss(l.classWeight(), l.maskWeight(), l.diceWeight(), l.noObjectWeight(), l.captionWeight(), l.pointerWeight(),
                l.semanticWeight());
        dataRng = Rng.of(c.seed(), 1);
        if (from != null) {
            restore(from);
        }
        for (int i = 0; i < c.heldout().count(); i++) {
            heldout.add(WorldGenerator.sample(c.heldout().seed(), i, c.world().size()));
        }
    }

    /** A trainer ready to step (tests and tools); {@link #run} is the CLI's entry. */
    static PancaperTrainer create(PancaperTrainConfig c, String configJson, Path resume) throws IOException {
        return new PancaperTrainer(c, configJson, resume);
    }

    NDManager manager() {
        return manager;
    }

    /** One update on the given samples (tests: the loss on a fixed batch must fall); returns the loss before it. */
    double fixedBatchStep(List<WorldSample> samples, double lr) {
        double value;
        try (NDManager scope = manager.newSubManager()) {
            WorldBatch b = WorldBatch.of(samples, model.config(), model.vocabulary(), scope);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray total = forward(b).total();
                value = total.getFloat();
                gc.backward(total);
            }
        }
        update(lr);
        return value;
    }

    /** Builds (or resumes) and runs a training job; the final model goes to {@code <output_dir>/model/}. */
    public static Result run(PancaperTrainConfig c, String configJson, Path resume, Progress progress, PrintWriter log) throws IOException {
        if (!PancaperTrainConfig.TASK.equals(c.task())) {
            throw new BadInputException("task", "expected " + PancaperTrainConfig.TASK + ", got " + c.task());
        }
        try (PancaperTrainer t = new PancaperTrainer(c, configJson, resume)) {
            return t.train(progress, log);
        }
    }

    /** The model config of a new run: the world's categories and a vocabulary from the first training captions. */
    static PancaperConfig modelConfig(PancaperTrainConfig c) {
        PancaperTrainConfig.World w = c.world();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < w.vocabCaptions(); i++) {
            captions.add(WorldGenerator.sample(w.seed(), i, 32).caption());
        }
        Vocabulary v = Vocabulary.build(captions, w.vocabMinCount());
        PancaperTrainConfig.Model m = c.model();
        return new PancaperConfig(PancaperConfig.KIND, w.size(), WorldGenerator.categories(), m.queries(), m.width(),
                m.pixelDim(), m.stemChannels(), m.heads(), m.encoderLayers(), m.decoderLayers(), m.captionLayers(),
                m.maxTokens(), v.words(), null, null);
    }

    public PanCaper model() {
        return model;
    }

    private Result train(Progress progress, PrintWriter log) throws IOException {
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("config.json"), configJson);
        log.printf("pancaper: %,d parameters, %d steps from %d, batch %d, run %s%n", model.size(), c.steps(), step, c.batchSize(), runDir);
        log.flush();
        Checkpoints ckpts = new Checkpoints(runDir, c.checkpoint().keep());
        ckpts.cleanTemps();
        long start = System.nanoTime();
        StepLoop loop = new StepLoop(new StepLoop.Plan(c.steps(), 1, c.optimizer().maxGradNorm(), c.logEvery(),
                c.checkpoint().every(), c.maxMinutes(), MAX_SKIPPED_IN_A_ROW - 1), ckpts, runDir, progress, s -> {
                    log.println("pancaper: " + s);
                    log.flush();
                });
        StepLoop.Outcome out = loop.run(new Task(ckpts, start), model.parameters(), opt, schedule, manager, step);
        step = out.steps();
        Map<String, Double> held = calibrate(log);
        Path modelDir = runDir.resolve("model");
        model.save(modelDir);
        return new Result(modelDir, step, out.lastLoss(), held, (System.nanoTime() - start) / 1e9, model.size());
    }

    /** The PanCaper's step for the shared loop: a random batch of the world, held-out PQ at its cadence. */
    private final class Task implements StepLoop.Task {
        private final Checkpoints ckpts;
        private final long start;

        Task(Checkpoints ckpts, long start) {
            this.ckpts = ckpts;
            this.start = start;
        }

        @Override
        public StepLoop.Micro forwardBackward(long s, int micro, NDManager scope) {
            List<WorldSample> samples = drawBatch();
            return new StepLoop.Micro(PancaperTrainer.this.forwardBackward(samples, scope), samples.size());
        }

        @Override
        public List<String> termNames() {
            return List.of("loss", "segmentation", "caption", "pointer");
        }

        @Override
        public void addMetrics(Map<String, Object> r) {
            r.put("seconds", (System.nanoTime() - start) / 1e9);
            r.put("rss_mb", Memory.rssMb());
        }

        @Override
        public Map<String, Object> evaluate(long done, boolean last) {
            return done % c.heldout().every() == 0 || done == c.steps() ? new LinkedHashMap<>(heldoutPq()) : Map.of();
        }

        @Override
        public Path checkpoint(long done) throws IOException {
            step = done;
            Path saved = ckpts.save(done, PancaperTrainer.this::writeCheckpoint);
            lastCheckpoint = saved.toString();
            return saved;
        }
    }

    /** One update outside the run loop (tests and tools); returns {total, segmentation, caption, pointer, grad norm}. */
    double[] trainStep(double lr) {
        double[] parts;
        try (NDManager scope = manager.newSubManager()) {
            parts = forwardBackward(drawBatch(), scope);
        }
        if (!Double.isFinite(parts[0])) {
            throw new NonFiniteLossException(step + 1, "the loss", parts[0], lastCheckpoint);
        }
        float norm = update(lr);
        return new double[] {parts[0], parts[1], parts[2], parts[3], norm};
    }

    /** {@code batch_size} training images at random indices of the world. */
    private List<WorldSample> drawBatch() {
        List<WorldSample> samples = new ArrayList<>();
        for (int i = 0; i < c.batchSize(); i++) {
            samples.add(WorldGenerator.sample(c.world().seed(), dataRng.nextInt(c.world().count()), c.world().size()));
        }
        return samples;
    }

    /** Forward and backward of one batch; returns {total, segmentation, caption, pointer}. */
    private double[] forwardBackward(List<WorldSample> samples, NDManager scope) {
        WorldBatch b = WorldBatch.of(samples, model.config(), model.vocabulary(), scope);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            PancaperLoss.Parts p = forward(b);
            double[] parts = {p.total().getFloat(), p.segmentation().getFloat(), p.caption().getFloat(), p.pointer().getFloat()};
            if (Double.isFinite(parts[0])) {
                gc.backward(p.total());
            }
            return parts;
        }
    }

    /** Segmentation (every layer or the last), caption and pointer losses of one batch. */
    PancaperLoss.Parts forward(WorldBatch b) {
        PanCaper.Segmentation seg = model.segment(b.image());
        List<QueryDecoder.Prediction> preds = c.loss().auxLayers() ? seg.predictions() : List.of(seg.last());
        NDArray segLoss = null;
        for (QueryDecoder.Prediction p : preds) {
            NDArray select = matcher.match(p.classLogits(), p.maskLogits(), b.masks(), b.classes(), b.counts());
            NDArray l = loss.segmentation(p, select, b);
            segLoss = segLoss == null ? l : segLoss.add(l);
        }
        long n = b.image().getShape().get(0);
        long hw = b.masks().getShape().get(2);
        NDArray pooled = SegmentPooling.pool(b.masks(), seg.features().pixels(), b.image().reshape(n, 3, hw), b.geometry());
        NDArray slots = model.captionDecoder.segments(pooled, b.classes());
        NDArray[] cap = loss.caption(model.captionDecoder.forward(b.tokens(), b.pointedIn(), slots, b.valid()), b);
        if (loss.semanticWeight() > 0) {
            segLoss = segLoss.add(PancaperLoss.semantic(model.pixelEncoder.semantic(seg.features().pixels()), b)
                    .mul((float) loss.semanticWeight()));
        }
        NDArray total = segLoss.add(cap[0].mul((float) loss.captionWeight())).add(cap[1].mul((float) loss.pointerWeight()));
        return new PancaperLoss.Parts(total, segLoss, cap[0], cap[1]);
    }

    private float update(double lr) {
        return update.apply(step, model.parameters(), opt, lr, manager, () -> lastCheckpoint);
    }

    /** Object thresholds tried by {@link #calibrate}, Mask2Former's 0.8 first. */
    static final double[] THRESHOLDS = {0.8, 0.7, 0.6, 0.5, 0.4, 0.3};

    /**
     * Picks the object threshold with the best held-out PQ (the first, i.e. the highest, on ties) and stores it in
     * the model's config: Mask2Former's 0.8 assumes confident classes, which a small model trained briefly may
     * not reach. The held-out split is the validation split; the final scores are measured on another world.
     */
    Map<String, Double> calibrate(PrintWriter log) {
        double overlap = model.config().overlapThreshold();
        double best = THRESHOLDS[0];
        Map<String, Double> bestPq = null;
        for (double t : THRESHOLDS) {
            model.thresholds(t, overlap);
            Map<String, Double> pq = heldoutPq();
            log.printf(java.util.Locale.ROOT, "pancaper: object threshold %.2f: held-out %s%n", t, pq);
            if (bestPq == null || pq.get("heldout_pq") > bestPq.get("heldout_pq")) {
                best = t;
                bestPq = pq;
            }
        }
        model.thresholds(best, overlap);
        log.printf(java.util.Locale.ROOT, "pancaper: object threshold %.2f stored with the model%n", best);
        log.flush();
        Map<String, Double> out = new LinkedHashMap<>(bestPq);
        out.put("object_threshold", best);
        return out;
    }

    /** PQ, PQ_thing, PQ_stuff of the current model on the held-out images (segmentation only). */
    Map<String, Double> heldoutPq() {
        PancapCaptioner cap = new PancapCaptioner("training", manager, model); // shares the manager: not closed here
        PanopticQuality pq = new PanopticQuality(model.categoriesById());
        for (WorldSample s : heldout) {
            IdMask gt = IdMask.fromRgb(DataPng.decode(s.maskPng(), s.fileName()));
            PanopticInference.Result r = cap.panoptic(DataPng.decode(s.imagePng(), s.fileName()));
            IdMask pred = new IdMask(gt.width(), gt.height(), r.ids());
            List<SegmentInfo> infos = new ArrayList<>();
            for (MaskGeometry g : pred.geometry()) {
                PanopticInference.Segment seg = r.segments().get((int) g.id() - 1);
                var cat = model.config().categories().get(seg.classIndex());
                infos.add(new SegmentInfo(g.id(), cat.id(), 0, cat.isthing(), g.area(), g.bbox()));
            }
            pq.add(new PanopticQuality.ImagePair(s.fileName(), gt, s.annotation().segments(), pred, infos));
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("heldout_pq", pq.average(null).pq());
        out.put("heldout_pq_thing", pq.average(true).pq());
        out.put("heldout_pq_stuff", pq.average(false).pq());
        return out;
    }

    private void writeCheckpoint(Path folder) throws IOException {
        model.save(folder);
        Checkpoints.saveOptimizer(folder, opt);
        new TrainState(step, 0, 0, Map.of("data", dataRng.state()), configJson, Map.of()).write(folder);
    }

    private void restore(Path from) throws IOException {
        try (SafeTensors st = SafeTensors.open(from.resolve(Checkpoints.OPTIMIZER_FILE))) {
            opt.load(st);
        }
        TrainState state = TrainState.read(from);
        step = state.step();
        dataRng = Rng.restore(state.rngs().get("data"));
    }

    /** A checkpoint folder, or the newest checkpoint of a run folder. */
    static Path checkpointOf(Path resume) throws IOException {
        if (Files.isRegularFile(resume.resolve(Checkpoints.STATE_FILE))) {
            return resume;
        }
        return new Checkpoints(resume, 1).latest().orElseThrow(
                () -> new BadInputException(resume.toString(), "no checkpoint to resume from"));
    }

    @Override
    public void close() {
        opt.close();
        manager.close();
    }
}
