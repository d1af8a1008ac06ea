package studio.diffusion.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import studio.core.BadInputException;
import studio.core.config.Configs;
import studio.core.data.world.WorldGenerator;
import studio.core.device.Devices;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;
import studio.core.train.AdamW;
import studio.core.train.Checkpoints;
import studio.core.train.Ema;
import studio.core.train.LrSchedule;
import studio.core.train.Memory;
import studio.core.train.MetricsLog;
import studio.core.train.Progress;
import studio.core.train.Rng;
import studio.core.train.StepLoop;
import studio.core.train.TrainState;
import studio.diffusion.sampling.RectifiedFlow;
import studio.diffusion.sampling.RectifiedFlow.Weighting;

/**
 * The MMDiT trainer (issue 6): LoRA or full-parameter, the SD3 rectified-flow objective of diffusers'
 * train_dreambooth_lora_sd3.py (SD3.md §2.6: logit-normal / mode / uniform timestep density, loss
 * weighting, precondition_outputs), optional EMA, caption modes and dropout, aspect buckets, cached latents and
 * text outputs, validation images and their video, checkpoints that resume exactly; AdamW with global-norm clipping,
 * gradient accumulation, the LR schedule, metrics.jsonl, the NaN/Inf guard, max_minutes and the stop on request
 * ({@link Progress#stopRequested()}, which checkpoints the step it stops at) are the shared {@link StepLoop}'s.
 * Everything random is drawn from {@link Rng} streams whose state is checkpointed, so on CPU a resumed run repeats the
 * uninterrupted one bit for bit.
 *
 * <p>One run per JVM at a time (GradientCollector is process-global, STYLE.md (c) 5), on the calling
 * thread, which owns every tensor of the run.
 */
public final class DiffusionTrainer {

    /** The encoders and the validation renderer (null = no validation images); log receives human-readable lines. */
    public record Deps(LatentEncoder latents, TextConditioner text, ValidationRenderer validation, Consumer<String> log) {}

    /** What a finished run produced. */
    public record Result(Path runDir, long steps, double lastLoss, Path weights, int skipped, int cacheHits,
                         int cacheMisses, Path video) {}

    private final TrainConfig c;
    private final Path runDir;
    private final Deps deps;
    private final Progress progress;
    private final RectifiedFlow flow;
    private final Weighting weighting;
    private final float[] sigmaTable;
    private final Checkpoints checkpoints;
    private Rng noiseRng;
    private Rng dataRng;
    private int epoch;
    private int batchInEpoch;
    private List<int[]> epochBatches;

    private DiffusionTrainer(TrainConfig c, Path runDir, Deps deps, Progress progress) {
        this.c = c;
        this.runDir = runDir;
        this.deps = deps;
        this.progress = progress;
        this.flow = new RectifiedFlow(c.flow().shift(), 1000);
        this.weighting = Weighting.parse(c.flow().weighting());
        this.sigmaTable = flow.trainingSigmas();
        this.checkpoints = new Checkpoints(runDir, c.checkpoint().keep());
    }

    /**
     * Trains {@code c} in {@code runDir}; with {@code resume}, continues from the newest checkpoint there (whose
     * stored config must be the one passed, see {@link #storedConfig}).
     */
    public static Result run(TrainConfig c, Path runDir, boolean resume, Deps deps, Progress progress) throws IOException {
        return StepLoop.withTrainingModes(() -> new DiffusionTrainer(c, runDir, deps, progress).train(resume));
    }

    /** The config stored with the newest checkpoint of {@code runDir} (for {@code --resume}). */
    public static String storedConfig(Path runDir) throws IOException {
        Path latest = new Checkpoints(runDir, 1).requireLatest();
        return TrainState.read(latest).config();
    }

    private Result train(boolean resume) throws IOException {
        Files.createDirectories(runDir);
        TrainState state = checkpoints.begin(resume, deps.log());
        noiseRng = state == null ? Rng.of(c.seed(), 1) : Rng.restore(state.rngs().get("noise"));
        dataRng = state == null ? Rng.of(c.seed(), 2) : Rng.restore(state.rngs().get("data"));
        epoch = state == null ? 0 : state.epoch();
        batchInEpoch = state == null ? 0 : state.batchInEpoch();
        Files.writeString(runDir.resolve("config.json"), Configs.toJson(c));
        FeatureCache cache = new FeatureCache(c.encoders().cacheDir().isEmpty() ? runDir.resolve("cache")
                : Path.of(c.encoders().cacheDir()));
        TrainData data = prepareData(cache);
        try (NDManager manager = NDManager.newBaseManager(Devices.parse(c.model().device(), "model.device"))) {
            Trainables t = Trainables.create(c, manager);
            try (AdamW opt = new AdamW(t.params(), new AdamW.Hyper(c.optimizer().beta1(), c.optimizer().beta2(),
                    c.optimizer().eps(), c.optimizer().weightDecay()));
                 Ema ema = c.ema().enabled() ? new Ema(t.params(), c.ema().decay()) : null) {
                restore(state, t, opt, ema);
                Task task = new Task(t, opt, ema, data, manager);
                long start = state == null ? 0 : state.step();
                LrSchedule schedule = new LrSchedule(LrSchedule.Kind.parse(c.schedule().kind()), c.optimizer().lr(),
                        c.schedule().warmupSteps(), c.steps());
                StepLoop loop = new StepLoop(new StepLoop.Plan(c.steps(), c.gradAccum(), c.optimizer().maxGradNorm(),
                        c.logEvery(), c.checkpoint().every(), c.maxMinutes(), 0), checkpoints, runDir, progress, deps.log());
                StepLoop.Outcome out = loop.run(task, t.params(), opt, schedule, manager, start);
                Path weights = t.save(runDir, metadata(t, out.steps()));
                if (ema != null) {
                    saveEma(ema, runDir.resolve("ema_" + weights.getFileName()));
                }
                Path video = task.validationVideo();
                return new Result(runDir, out.steps(), out.lastLoss(), weights, data.skipped(), cache.hits(),
                        cache.misses(), video);
            }
        }
    }

    private void restore(TrainState s, Trainables t, AdamW opt, Ema ema) throws IOException {
        if (s == null) {
            return;
        }
        Path folder = checkpoints.latest().orElseThrow();
        t.load(folder);
        try (SafeTensors st = SafeTensors.open(folder.resolve(Checkpoints.OPTIMIZER_FILE))) {
            opt.load(st);
        }
        if (ema != null) {
            try (SafeTensors st = SafeTensors.open(folder.resolve("ema.safetensors"))) {
                ema.load(st);
            }
        }
    }

    private TrainData prepareData(FeatureCache cache) throws IOException {
        Path dir = Path.of(c.data().dir());
        TrainConfig.World w = c.data().world();
        if (w.count() > 0 && !Files.exists(dir)) {
            deps.log().accept("generating a PanCap world of " + w.count() + " images in " + dir);
            WorldGenerator.generate(dir, w.seed(), w.count(), w.size(), 1);
        }
        if (!Files.isDirectory(dir)) {
            throw new BadInputException("data.dir", "no such dataset folder: " + dir);
        }
        // sides a multiple of VAE factor × patch 2 (16 for SD3, SD3.md §2.5)
        Buckets buckets = Buckets.of(c.data().resolution(), deps.latents().factor() * 2, c.data().buckets());
        TrainData data = TrainData.prepare(dir, buckets, deps.latents(), deps.text(), cache,
                c.validation().every() > 0 ? c.validation().prompts() : List.of(), deps.log());
        deps.log().accept(String.format("data: %d of %d samples usable, %d skipped; cache %d hits, %d misses",
                data.items().size(), data.listed(), data.skipped(), cache.hits(), cache.misses()));
        return data;
    }

    private Map<String, String> metadata(Trainables t, long step) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("studio.base_model", c.model().path().isEmpty() ? "random:" + c.model().preset() + ":seed=" + c.seed()
                : c.model().path());
        m.put("studio.text_conditioner", deps.text().id());
        m.put("studio.t5_max_length", Integer.toString(c.encoders().textTokens()));
        m.put("studio.latent_encoder", deps.latents().id());
        m.put("studio.step", Long.toString(step));
        m.put("studio.training_config", Configs.toJson(c));
        return m;
    }

    private static void saveEma(Ema ema, Path file) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter();
        ema.averaged().forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
        w.write(file);
    }

    /** The MMDiT's step for the shared loop: bucketed micro-batches, EMA, eval loss, validation images. */
    private final class Task implements StepLoop.Task {
        private final Trainables t;
        private final AdamW opt;
        private final Ema ema;
        private final TrainData data;
        private final NDManager manager;
        private final BatchPlan plan;
        private final Validation validation;

        Task(Trainables t, AdamW opt, Ema ema, TrainData data, NDManager manager) {
            this.t = t;
            this.opt = opt;
            this.ema = ema;
            this.data = data;
            this.manager = manager;
            this.plan = new BatchPlan(data.items().stream().mapToInt(TrainData.Item::bucket).toArray(), c.batchSize(), c.seed());
            this.validation = new Validation(runDir, c.validation(), deps.validation());
        }

        @Override
        public void atStart(long start, MetricsLog metrics) throws IOException {
            if (start == 0) {
                notifyValidation(0, validation.maybeRender(0, t));
                if (c.evalEvery() > 0) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("step", 0L);
                    r.put("eval_loss", evalLoss());
                    metrics.append(r);
                }
            }
        }

        @Override
        public StepLoop.Micro forwardBackward(long step, int micro, NDManager scope) {
            int[] batch = nextBatch();
            return new StepLoop.Micro(new double[] {microStep(batch, scope)}, batch.length);
        }

        @Override
        public List<String> termNames() {
            return List.of("loss");
        }

        @Override
        public void afterUpdate(long step) {
            if (ema != null) {
                ema.update(step + 1);
            }
        }

        @Override
        public void addMetrics(Map<String, Object> r) {
            r.put("rss_mb", Memory.rssMb());
            r.put("peak_rss_mb", Memory.peakRssMb());
            r.put("epoch", epoch);
        }

        @Override
        public Map<String, Object> evaluate(long done, boolean last) {
            return c.evalEvery() > 0 && (done % c.evalEvery() == 0 || last) ? Map.of("eval_loss", evalLoss()) : Map.of();
        }

        @Override
        public void afterStep(long done) throws IOException {
            notifyValidation(done, validation.maybeRender(done, t));
        }

        private void notifyValidation(long step, List<Path> images) {
            if (!images.isEmpty()) {
                progress.onValidation(step, images);
            }
        }

        private double evalLoss() {
            t.setTraining(false);
            return EvalLoss.compute(t.model(), data, flow, c.flow().preconditionOutputs(), c.seed(), manager);
        }

        private int[] nextBatch() {
            if (epochBatches == null) {
                epochBatches = plan.epoch(epoch);
            }
            if (batchInEpoch >= epochBatches.size()) {
                epoch++;
                batchInEpoch = 0;
                epochBatches = plan.epoch(epoch);
            }
            return epochBatches.get(batchInEpoch++);
        }

        /** One micro-batch: x_σ, the model's velocity, the SD3 loss (SD3.md §2.6), backward. Returns the loss. */
        private double microStep(int[] batch, NDManager scope) {
            Batch b = Batch.assemble(batch, data, c.data(), dataRng, scope);
            int n = batch.length;
            NDArray eps = noiseRng.normal(scope, b.x0().getShape());
            float[] sig = new float[n];
            float[] ts = new float[n];
            float[] wt = new float[n];
            for (int i = 0; i < n; i++) {
                sig[i] = sigmaTable[flow.index(drawU())];
                ts[i] = flow.timestep(sig[i]);
                wt[i] = (float) RectifiedFlow.weight(weighting, sig[i]);
            }
            if (c.task().equals("lora") && c.lora().dropout() > 0) {
                Engine.getInstance().setRandomSeed((int) noiseRng.nextLong()); // LoRA dropout masks, reproducible
            }
            NDArray sigma = scope.create(sig, new Shape(n, 1, 1, 1));
            NDArray weight = scope.create(wt, new Shape(n, 1, 1, 1));
            t.setTraining(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray xs = RectifiedFlow.noise(b.x0(), eps, sigma);
                NDArray v = forward(xs, scope.create(ts), b);
                NDArray loss = RectifiedFlow.loss(v, b.x0(), eps, xs, sigma, weight, c.flow().preconditionOutputs());
                double value = loss.getFloat();
                // the divisor is a tensor of this scope, alive through backward (not div(int): see LoraLinear.Adapter)
                gc.backward(c.gradAccum() > 1 ? loss.div(scope.create((float) c.gradAccum())) : loss);
                return value;
            } finally {
                t.setTraining(false);
            }
        }

        /**
         * The velocity in fp32. In fp32 the inputs go in as they are: SD3Transformer.toCompute/toF32 copy with
         * DJL's duplicate(), which does not carry autograd history.
         */
        private NDArray forward(NDArray xs, NDArray timestep, Batch b) {
            var model = t.model();
            if (model.precision() == studio.core.device.Precision.F32) {
                return model.forward(xs, timestep, b.context(), b.pooled());
            }
            return model.toF32(model.forward(model.toCompute(xs), timestep, model.toCompute(b.context()),
                    model.toCompute(b.pooled())));
        }

        /** compute_density_for_timestep_sampling (SD3.md §2.6): logit-normal, mode, or uniform. */
        private double drawU() {
            switch (weighting) {
                case LOGIT_NORMAL:
                    return RectifiedFlow.uLogitNormal(noiseRng.nextGaussian(), c.flow().logitMean(), c.flow().logitStd());
                case MODE:
                    return RectifiedFlow.uMode(noiseRng.nextDouble(), c.flow().modeScale());
                default:
                    return noiseRng.nextDouble();
            }
        }

        @Override
        public Path checkpoint(long step) throws IOException {
            Map<String, long[]> rngs = Map.of("noise", noiseRng.state(), "data", dataRng.state());
            TrainState s = new TrainState(step, epoch, batchInEpoch, rngs, Configs.toJson(c),
                    Map.of("skipped_samples", Integer.toString(data.skipped())));
            return checkpoints.save(step, folder -> {
                t.save(folder, metadata(t, step));
                Checkpoints.saveOptimizer(folder, opt);
                if (ema != null) {
                    SafeTensorsWriter e = new SafeTensorsWriter();
                    ema.save(e);
                    e.write(folder.resolve("ema.safetensors"));
                }
                s.write(folder); // last: marks the checkpoint complete
            });
        }

        Path validationVideo() {
            return validation.video(deps.log());
        }
    }
}
