package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import studio.core.safetensors.SafeTensorsWriter;
import studio.core.train.AdamW;
import studio.core.train.Checkpoints;
import studio.core.train.LrSchedule;
import studio.core.train.Progress;
import studio.core.train.Rng;
import studio.core.train.StepLoop;
import studio.core.train.TrainState;

/**
 * The step loop shared by the contrastive towers of pancap-tiny ({@link ClipTrainer}, {@link T5Trainer}): world
 * image–caption pairs in a per-epoch permutation ({@link EpochOrder}), each image's long (tags stripped) or short
 * caption drawn with probability {@code short_ratio}, checkpoints that resume bit for bit (weights, AdamW moments,
 * caption RNG, data position); clipping, the LR schedule, metrics.jsonl, {@code max_minutes} and the stop on request
 * are {@link StepLoop}'s (when the budget runs out the run checkpoints, ends as if at its last step and writes its
 * folders).
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
    private EpochOrder order;

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
        return StepLoop.withTrainingModes(() -> train(resume));
    }

    private Outcome train(boolean resume) throws IOException {
        Files.createDirectories(runDir);
        long start = begin(checkpoints.begin(resume, log));
        Files.writeString(runDir.resolve("config.json"), plan.configJson());
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> params = build(manager);
            TrainConfig.Optimizer o = plan.optimizer();
            try (AdamW opt = new AdamW(params, new AdamW.Hyper(o.beta1(), o.beta2(), o.eps(), o.weightDecay()))) {
                if (start > 0) {
                    Checkpoints.restore(checkpoints.requireLatest(), weightsFile, params, opt);
                }
                LrSchedule schedule = new LrSchedule(LrSchedule.Kind.parse(plan.schedule().kind()), o.lr(),
                        plan.schedule().warmupSteps(), plan.steps());
                StepLoop loop = new StepLoop(new StepLoop.Plan(plan.steps(), 1, o.maxGradNorm(), plan.logEvery(),
                        plan.checkpoint().every(), plan.maxMinutes(), 0), checkpoints, runDir, progress, log);
                StepLoop.Outcome out = loop.run(new Task(params, opt), params, opt, schedule, manager, start);
                return new Outcome(out.steps(), out.lastLoss(), write(params));
            }
        }
    }

    /** The caption RNG and data position of a fresh run (null) or of the resumed checkpoint; returns its step. */
    private long begin(TrainState s) {
        captionRng = s == null ? Rng.of(plan.seed(), 3) : Rng.restore(s.rngs().get("caption"));
        order = s == null ? new EpochOrder(plan.seed(), 0, 0) : new EpochOrder(plan.seed(), s.epoch(), s.batchInEpoch());
        return s == null ? 0 : s.step();
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

    /** The towers' step for the shared loop: a batch of the epoch's permutation with its drawn captions. */
    private final class Task implements StepLoop.Task {
        private final Map<String, NDArray> params;
        private final AdamW opt;

        Task(Map<String, NDArray> params, AdamW opt) {
            this.params = params;
            this.opt = opt;
        }

        @Override
        public StepLoop.Micro forwardBackward(long step, int micro, NDManager scope) {
            int[] idx = order.next(pairs.count(), Math.min(plan.batchSize(), pairs.count()));
            return new StepLoop.Micro(ContrastiveRun.this.forwardBackward(idx, captions(idx), scope), idx.length);
        }

        @Override
        public List<String> termNames() {
            return ContrastiveRun.this.termNames();
        }

        @Override
        public void addMetrics(Map<String, Object> r) {
            r.put("epoch", order.epoch());
        }

        @Override
        public Path checkpoint(long step) throws IOException {
            TrainState s = new TrainState(step, order.epoch(), order.batchInEpoch(),
                    Map.of("caption", captionRng.state()), plan.configJson(), Map.of());
            return checkpoints.save(step, folder -> {
                SafeTensorsWriter w = new SafeTensorsWriter();
                params.forEach((k, v) -> w.addF32(k, v.getShape().getShape(), v.toFloatArray()));
                w.write(folder.resolve(weightsFile));
                Checkpoints.saveOptimizer(folder, opt);
                s.write(folder); // last: marks the checkpoint complete
            });
        }
    }
}
