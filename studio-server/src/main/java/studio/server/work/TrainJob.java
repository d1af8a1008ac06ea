package studio.server.work;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import studio.core.train.Checkpoints;
import studio.core.train.Progress;
import studio.core.train.TrainingStoppedException;
import studio.diffusion.train.DiffusionTrainer;
import studio.diffusion.train.TrainConfig;
import studio.diffusion.train.TrainTask;
import studio.server.jobs.JobCancelledException;
import studio.server.jobs.JobContext;
import studio.server.jobs.JobTask;
import studio.server.store.Store;

/**
 * A fine-tuning run as a job: {@link TrainTask#run}, the code path of {@code studio train}, in {@code runs/<run id>}
 * under the home. Every step becomes metric rows (loss, lr, grad_norm, images_per_s; SQLite, for the charts), a
 * progress event (those values, the trainer's ETA and the newest validation grid) and a chance for waiting short jobs to
 * run ({@link JobContext#yieldToShortJobs()}); every validation round a preview event. A cancel (Stop) is honoured at
 * the next step boundary after a checkpoint of that step is written ({@link Progress#stopRequested()}), so a resume
 * loses nothing; the job then ends {@code cancelled} (or {@code interrupted} when the server is shutting down).
 */
public final class TrainJob {
    public static final String RUN_KIND = "train";

    private TrainJob() {}

    /** A new run: its id is this job's, its folder {@code runs/<id>}. */
    public static JobTask fresh(TrainSpec spec, Path runs, Store store, Clock clock) {
        return ctx -> {
            String runId = ctx.jobId();
            TrainConfig c = TrainSpec.forRun(spec.config(), runs.resolve(runId));
            insertRun(store, runId, spec, c, clock); // the route does too, after submit: whichever comes first
            ctx.log("run " + runId + ": " + spec.name() + ", " + c.task() + ", " + c.steps() + " steps");
            return train(ctx, store, runId, c, false);
        };
    }

    /** Stores the run row (once; a second call is ignored). */
    public static void insertRun(Store store, String runId, TrainSpec spec, TrainConfig c, Clock clock) {
        store.insertRun(runId, runId, RUN_KIND, spec.name(), TrainSpec.asMap(c), clock.millis());
    }

    /**
     * Continues run {@code runId} with {@code c} (resolved by the route from the newest checkpoint's config, or the
     * run's own when it stopped before its first checkpoint). Metric rows after {@code fromStep} are dropped first: a
     * crash after the checkpoint left rows of steps that the resume repeats.
     *
     * @param resume true when a checkpoint exists (the trainer's --resume); false restarts the run from step 0
     */
    public static JobTask resume(String runId, TrainConfig c, boolean resume, long fromStep, Store store) {
        return ctx -> {
            int dropped = store.deleteMetricsAfter(runId, fromStep);
            ctx.log("run " + runId + ": " + (resume ? "resuming from the checkpoint of step " + fromStep
                    : "no checkpoint yet; starting again from step 0") + (dropped > 0 ? " (" + dropped
                    + " metric rows after it dropped)" : ""));
            return train(ctx, store, runId, c, resume);
        };
    }

    private static Map<String, Object> train(JobContext ctx, Store store, String runId, TrainConfig c, boolean resume)
            throws IOException {
        ServerProgress progress = new ServerProgress(ctx, runId);
        DiffusionTrainer.Result r;
        try {
            r = TrainTask.run(c, resume, progress, ctx::log);
        } catch (TrainingStoppedException e) {
            ctx.log("stopped at step " + e.step() + "; " + Checkpoints.name(e.step()) + " kept, resume continues there");
            throw new JobCancelledException(ctx.jobId());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", runId);
        m.put("steps", r.steps());
        m.put("lastLoss", Double.isFinite(r.lastLoss()) ? r.lastLoss() : null);
        m.put("weights", r.weights().getFileName().toString());
        m.put("video", r.video() == null ? null : r.runDir().relativize(r.video()).toString());
        m.put("skippedSamples", r.skipped());
        m.put("cacheHits", r.cacheHits());
        m.put("cacheMisses", r.cacheMisses());
        return m;
    }

    /** The URL of a validation image of a run (served by TrainRoutes, confined to the run's validation folder). */
    public static String validationUrl(String runId, long step, String file) {
        return "/api/train/runs/" + runId + "/validation/" + Checkpoints.name(step) + "/" + file;
    }

    /** The trainer's per-step callback as job events, metric rows and yields. */
    static final class ServerProgress implements Progress {
        static final List<String> METRICS = List.of("loss", "lr", "grad_norm", "images_per_s");
        private final JobContext ctx;
        private final String runId;
        private String validation;

        ServerProgress(JobContext ctx, String runId) {
            this.ctx = ctx;
            this.runId = runId;
        }

        @Override
        public void onStep(Step s) {
            int step = Math.toIntExact(s.step());
            double[] values = {s.loss(), s.lr(), s.gradNorm(), s.imagesPerS()};
            for (int i = 0; i < values.length; i++) {
                if (Double.isFinite(values[i])) {
                    ctx.metric(runId, step, METRICS.get(i), values[i]);
                }
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("runId", runId);
            d.put("loss", finite(s.loss()));
            d.put("lr", finite(s.lr()));
            d.put("gradNorm", finite(s.gradNorm()));
            d.put("imagesPerS", finite(s.imagesPerS()));
            d.put("etaSeconds", finite(s.etaSeconds()));
            d.put("validationUrl", validation);
            ctx.detail(d);
            ctx.progress(step, Math.toIntExact(s.total()), String.format(java.util.Locale.ROOT, "loss %.4f", s.loss()));
            ctx.yieldToShortJobs();
        }

        @Override
        public void onValidation(long step, List<Path> images) {
            validation = validationUrl(runId, step, "grid.png");
            ctx.preview(validation, "validation images at step " + step);
        }

        @Override
        public boolean stopRequested() {
            return ctx.cancelRequested();
        }

        private static Double finite(double v) {
            return Double.isFinite(v) ? v : null;
        }
    }
}
