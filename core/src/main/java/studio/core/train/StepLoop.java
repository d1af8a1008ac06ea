package studio.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The optimizer step loop every trainer of the studio shares (the VAE's, the contrastive CLIP/T5 towers', the
 * MMDiT's): each update runs {@code grad_accum} micro-batches (one NDManager sub-scope each, gradients adding up on
 * the parameters), stops on a non-finite loss without saving (the newest checkpoint stays the last good state), then
 * makes the {@link GradientUpdate} at the schedule's rate (global-norm clipping, the non-finite gradient guard, AdamW,
 * gradients zeroed); then appends
 * metrics.jsonl every {@code log_every} updates, reports {@link Progress}, checkpoints every {@code checkpoint.every},
 * ends early when this process's {@code max_minutes} are spent (that step checkpointed and logged as the last) and
 * stops with a checkpoint of the current step when {@link Progress#stopRequested()} (so a resume repeats no step and
 * loses none). A trainer supplies only its {@link Task}: the loss of one micro-batch and what it checkpoints.
 *
 * <p>Run with autograd off outside the gradient collector ({@link #withTrainingModes}) on the thread that owns the
 * run's tensors.
 */
public final class StepLoop {

    /**
     * The cadences of a run.
     *
     * @param steps optimizer updates of the whole run
     * @param gradAccum micro-batches per update (their terms are averaged; the task scales each loss by 1/gradAccum)
     * @param maxGradNorm global-norm clipping threshold (≤ 0: measured, not clipped)
     * @param logEvery metrics.jsonl gets a record every this many updates (and at the last)
     * @param checkpointEvery a checkpoint every this many updates (and at the last)
     * @param maxMinutes wall-clock budget of this process (≤ 0: none)
     * @param maxSkippedInARow updates with a non-finite gradient norm skipped in a row before the run stops (0: the
     *     first stops it; above 0 metrics.jsonl counts {@code skipped_updates}), see {@link GradientUpdate}
     */
    public record Plan(long steps, int gradAccum, double maxGradNorm, int logEvery, int checkpointEvery,
                       double maxMinutes, int maxSkippedInARow) {}

    /** One micro-batch's logged terms ({@code [0]} the loss, named by {@link Task#termNames}) and its image count. */
    public record Micro(double[] terms, int images) {}

    /** Updates done (the resume point when none ran) and the last update's loss (NaN when none ran). */
    public record Outcome(long steps, double lastLoss) {}

    /** What a trainer supplies to the loop. */
    public interface Task {
        /**
         * Forward and backward of micro-batch {@code micro} of update {@code step} (0-based), its arrays in
         * {@code scope}; gradients accumulate on the loop's parameters.
         */
        Micro forwardBackward(long step, int micro, NDManager scope);

        /** metrics.jsonl names of {@link Micro#terms}, in order. */
        List<String> termNames();

        /** Writes a complete checkpoint of the state after {@code step} updates; returns its folder. */
        Path checkpoint(long step) throws IOException;

        /** Once before the first update, with the run's metrics (e.g. step-0 validation and eval loss). */
        default void atStart(long start, MetricsLog metrics) throws IOException {
        }

        /** After optimizer update {@code step} (0-based) and gradient zeroing (e.g. the EMA). */
        default void afterUpdate(long step) {
        }

        /** Further metrics.jsonl columns of each record, after step, terms, lr, grad_norm and images_per_s. */
        default void addMetrics(Map<String, Object> record) {
        }

        /**
         * Evaluation columns due after update {@code done} ({@code last}: the run's final update, or the one the
         * time budget ends it at); a non-empty answer forces a metrics record at this step.
         */
        default Map<String, Object> evaluate(long done, boolean last) {
            return Map.of();
        }

        /** After each update's metrics, progress and checkpoint (e.g. sample or validation images). */
        default void afterStep(long done) throws IOException {
        }
    }

    private final Plan plan;
    private final Checkpoints checkpoints;
    private final Path runDir;
    private final Progress progress;
    private final Consumer<String> log;
    private final GradientUpdate update;

    public StepLoop(Plan plan, Checkpoints checkpoints, Path runDir, Progress progress, Consumer<String> log) {
        this.plan = plan;
        this.checkpoints = checkpoints;
        this.runDir = runDir;
        this.progress = progress;
        this.log = log;
        this.update = new GradientUpdate(plan.maxGradNorm(), plan.maxSkippedInARow());
    }

    /** Runs {@code body} with libtorch's grad mode and graph-executor optimisation off, restored afterwards. */
    public static <T> T withTrainingModes(IoSupplier<T> body) throws IOException {
        boolean gradMode = Grads.gradMode(false);
        Grads.graphOptimizer(false);
        try {
            return body.get();
        } finally {
            Grads.gradMode(gradMode);
            Grads.graphOptimizer(Grads.graphOptimizerDefault());
        }
    }

    /** A supplier that may throw IOException. */
    @FunctionalInterface
    public interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** Updates {@code params} from step {@code start} (the resumed checkpoint's, or 0) to the plan's steps. */
    public Outcome run(Task task, Map<String, NDArray> params, AdamW opt, LrSchedule schedule, NDManager manager,
                       long start) throws IOException {
        long t0 = System.nanoTime();
        long images = 0;
        double loss = Double.NaN;
        long done = start;
        try (MetricsLog metrics = MetricsLog.open(runDir.resolve("metrics.jsonl"), start)) {
            task.atStart(start, metrics);
            while (done < plan.steps()) {
                long step = done;
                double lr = schedule.lr((int) step);
                double[] terms = null;
                for (int micro = 0; micro < plan.gradAccum(); micro++) {
                    Micro m;
                    try (NDManager scope = manager.newSubManager()) {
                        m = task.forwardBackward(step, micro, scope);
                    }
                    images += m.images();
                    terms = add(terms, m.terms());
                }
                for (int i = 0; i < terms.length; i++) {
                    terms[i] /= plan.gradAccum();
                }
                loss = terms[0];
                if (!Double.isFinite(loss)) {
                    throw new NonFiniteLossException(step + 1, "the loss", loss, lastGood());
                }
                float norm = update.apply(step, params, opt, lr, manager, this::lastGood);
                task.afterUpdate(step);
                done = step + 1;
                double seconds = (System.nanoTime() - t0) / 1e9;
                double ips = images / seconds;
                double eta = seconds / (done - start) * (plan.steps() - done);
                // max_minutes: this process's budget; the run ends here as if its steps were done (final checkpoint,
                // eval, weights) and --resume continues it to steps (the PanCaper's semantics)
                boolean outOfTime = plan.maxMinutes() > 0 && seconds >= plan.maxMinutes() * 60 && done < plan.steps();
                boolean last = done == plan.steps() || outOfTime;
                Map<String, Object> eval = task.evaluate(done, last);
                if (!eval.isEmpty() || done % plan.logEvery() == 0 || last) {
                    Map<String, Object> r = record(task, done, terms, lr, norm, ips);
                    r.putAll(eval);
                    metrics.append(r);
                }
                progress.onStep(new Progress.Step(done, plan.steps(), loss, lr, norm, ips, eta));
                Path saved = done % plan.checkpointEvery() == 0 || last ? task.checkpoint(done) : null;
                task.afterStep(done);
                if (outOfTime) {
                    log.accept(String.format(Locale.ROOT,
                            "max_minutes %s reached after step %d of %d; final weights written, --resume %s continues",
                            plan.maxMinutes(), done, plan.steps(), runDir));
                    break;
                }
                if (done < plan.steps() && progress.stopRequested()) {
                    Path kept = saved != null ? saved : task.checkpoint(done);
                    log.accept("stopped at step " + done + " on request; checkpoint " + kept);
                    throw new TrainingStoppedException(done, kept);
                }
            }
        }
        return new Outcome(done, loss);
    }

    private static double[] add(double[] sum, double[] terms) {
        if (sum == null) {
            return terms.clone();
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] += terms[i];
        }
        return sum;
    }

    private Map<String, Object> record(Task task, long step, double[] terms, double lr, float norm, double ips) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step", step);
        List<String> names = task.termNames();
        for (int i = 0; i < names.size(); i++) {
            r.put(names.get(i), terms[i]);
        }
        r.put("lr", lr);
        r.put("grad_norm", norm);
        if (plan.maxSkippedInARow() > 0) {
            r.put("skipped_updates", update.skipped());
        }
        r.put("images_per_s", ips);
        task.addMetrics(r);
        return r;
    }

    /** The newest checkpoint on disk, for the non-finite stop's message (null: none yet or unreadable). */
    private String lastGood() {
        try {
            return checkpoints.latest().map(Path::toString).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
