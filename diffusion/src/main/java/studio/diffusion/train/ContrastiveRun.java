package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
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

/**
 * The step loop shared by the contrastive towers of pancap-tiny ({@link ClipTrainer}, {@link T5Trainer}): world
 * image–caption pairs in a per-epoch permutation (a function of seed and epoch, so a resume needs only the position),
 * each image's long (tags stripped) or short caption drawn with probability {@code short_ratio}, AdamW with global-norm
 * clipping, the LR schedule, metrics.jsonl, checkpoints that resume bit for bit (weights, AdamW moments, caption RNG,
 * data position) and an optional wall-clock budget {@code max_minutes} with the PanCaper's semantics (counted from
 * this process's start, checked after each step; when it runs out the run checkpoints, ends as if at its last step and
 * writes its folders).
 * A subclass builds the trainable tensors, runs one forward + backward, and writes the model folders.
 */
abstract class ContrastiveRun {

    /** What the loop needs of a task's config. */
    record Plan(long seed, int steps, int batchSize, int logEvery, double maxMinutes, double shortRatio,
                TrainConfig.Optimizer optimizer, TrainConfig.Schedule schedule, TrainConfig.Checkpoint checkpoint,
                String configJson) {}

    /** Steps actually trained (fewer than planned when the budget ran out), the last loss, the written folders. */
    record Outcome(long steps, double lastLoss, List<Path> folders) {}

    protected final Plan plan;
    protected final Path runDir;
    protected final ClipPairs pairs;
    protected final Consumer<String> log;
    private final Progress progress;
    private final Checkpoints checkpoints;
    private final String weightsFile;
    private Rng captionRng;
    private int epoch;
    private int batchInEpoch;

    ContrastiveRun(Plan plan, Path runDir, ClipPairs pairs, String weightsFile, Progress progress, Consumer<String> log) {
        this.plan = plan;
        this.runDir = runDir;
        this.pairs = pairs;
        this.weightsFile = weightsFile;
        this.progress = progress;
        this.log = log;
        this.checkpoints = new Checkpoints(runDir, plan.checkpoint().keep());
    }

    /** Every trainable tensor by checkpoint key, gradients required, from initial weights seeded with the run seed. */
    abstract Map<String, NDArray> build(NDManager manager) throws IOException;

    /**
     * Forward and backward on the batch {@code idx} with its drawn captions; returns the logged terms, {@code [0]} the
     * loss, named by {@link #termNames}.
     */
    abstract double[] forwardBackward(int[] idx, List<String> captions, NDManager scope);

    /** metrics.jsonl names of {@link #forwardBackward}'s terms, in order. */
    abstract List<String> termNames();

    /** The final model folders from the trained tensors. */
    abstract List<Path> write(Map<String, NDArray> params) throws IOException;

    /** Runs with autograd enabled only inside the gradient collector (restored afterwards). */
    final Outcome run(boolean resume) throws IOException {
        boolean gradMode = Grads.gradMode(false);
        Grads.graphOptimizer(false);
        try {
            return train(resume);
        } finally {
            Grads.gradMode(gradMode);
            Grads.graphOptimizer(Grads.graphOptimizerDefault());
        }
    }

    private Outcome train(boolean resume) throws IOException {
        Files.createDirectories(runDir);
        checkpoints.cleanTemps();
        long start = resume ? resumeState() : freshStart();
        Files.writeString(runDir.resolve("config.json"), plan.configJson());
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> params = build(manager);
            TrainConfig.Optimizer o = plan.optimizer();
            try (AdamW opt = new AdamW(params, new AdamW.Hyper(o.beta1(), o.beta2(), o.eps(), o.weightDecay()))) {
                if (start > 0) {
                    Checkpoints.restore(checkpoints.requireLatest(), weightsFile, params, opt);
                }
                double[] last = loop(params, opt, manager, start);
                return new Outcome((long) last[1], last[0], write(params));
            }
        }
    }

    private long freshStart() throws IOException {
        checkpoints.requireNone();
        captionRng = Rng.of(plan.seed(), 3);
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

    /** {last loss, steps done}. */
    private double[] loop(Map<String, NDArray> params, AdamW opt, NDManager manager, long start) throws IOException {
        LrSchedule schedule = new LrSchedule(LrSchedule.Kind.parse(plan.schedule().kind()), plan.optimizer().lr(),
                plan.schedule().warmupSteps(), plan.steps());
        long t0 = System.nanoTime();
        double loss = Double.NaN;
        long done = start;
        try (MetricsLog metrics = MetricsLog.open(runDir.resolve("metrics.jsonl"), start)) {
            while (done < plan.steps() && (done == start || !outOfTime(t0, done, params, opt))) {
                double lr = schedule.lr((int) done);
                double[] terms;
                float norm;
                try (NDManager scope = manager.newSubManager()) {
                    int[] idx = nextBatch();
                    terms = forwardBackward(idx, captions(idx), scope);
                    loss = terms[0];
                    if (!Double.isFinite(loss)) {
                        throw new NonFiniteLossException(done + 1, "the loss", loss, lastGood());
                    }
                    Map<String, NDArray> grads = Grads.of(params, scope);
                    norm = Grads.clipGlobalNorm(grads.values(), plan.optimizer().maxGradNorm());
                    opt.step(grads, lr);
                }
                Grads.zero(params);
                done++;
                double seconds = (System.nanoTime() - t0) / 1e9;
                double ips = (done - start) * perBatch() / seconds;
                if (done % plan.logEvery() == 0 || done == plan.steps()) {
                    metrics.append(record(done, terms, lr, norm, ips));
                }
                progress.onStep(new Progress.Step(done, plan.steps(), loss, lr, norm, ips,
                        seconds / (done - start) * (plan.steps() - done)));
                if (done % plan.checkpoint().every() == 0 || done == plan.steps()) {
                    checkpoint(done, params, opt);
                }
            }
        }
        return new double[] {loss, done};
    }

    private boolean outOfTime(long t0, long done, Map<String, NDArray> params, AdamW opt) throws IOException {
        if (plan.maxMinutes() <= 0 || (System.nanoTime() - t0) / 60e9 < plan.maxMinutes()) {
            return false;
        }
        log.accept(String.format(java.util.Locale.ROOT, "time limit of %.1f min reached at step %d of %d; saving",
                plan.maxMinutes(), done, plan.steps()));
        if (checkpoints.latest().map(p -> !p.getFileName().toString().equals(Checkpoints.name(done))).orElse(true)) {
            checkpoint(done, params, opt);
        }
        return true;
    }

    private int perBatch() {
        return Math.min(plan.batchSize(), pairs.count());
    }

    /** The next batch of the epoch's permutation. */
    private int[] nextBatch() {
        int n = pairs.count();
        int per = perBatch();
        if ((batchInEpoch + 1) * per > n) {
            epoch++;
            batchInEpoch = 0;
        }
        int[] order = Rng.of(plan.seed(), 100 + epoch).permutation(n);
        int[] idx = new int[per];
        System.arraycopy(order, batchInEpoch * per, idx, 0, per);
        batchInEpoch++;
        return idx;
    }

    /** Each image of the batch takes its short caption with probability {@code short_ratio}. */
    private List<String> captions(int[] idx) {
        List<String> texts = new ArrayList<>(idx.length);
        for (int i : idx) {
            ClipPairs.Pair p = pairs.get(i);
            texts.add(captionRng.nextDouble() < plan.shortRatio() ? p.shortCaption() : p.longCaption());
        }
        return texts;
    }

    private Map<String, Object> record(long step, double[] terms, double lr, float norm, double ips) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step", step);
        List<String> names = termNames();
        for (int i = 0; i < names.size(); i++) {
            r.put(names.get(i), terms[i]);
        }
        r.put("lr", lr);
        r.put("grad_norm", norm);
        r.put("images_per_s", ips);
        r.put("epoch", epoch);
        return r;
    }

    private void checkpoint(long step, Map<String, NDArray> params, AdamW opt) throws IOException {
        TrainState s = new TrainState(step, epoch, batchInEpoch, Map.of("caption", captionRng.state()), plan.configJson(),
                Map.of());
        checkpoints.save(step, folder -> {
            SafeTensorsWriter w = new SafeTensorsWriter();
            params.forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
            w.write(folder.resolve(weightsFile));
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
