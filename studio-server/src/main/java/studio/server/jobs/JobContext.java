package studio.server.jobs;

import java.util.Map;
import studio.server.store.ImageRow;

/**
 * What a running {@link JobTask} can tell the world and ask of it. Every call is made on the device worker thread;
 * each one is stored (progress throttled) and published as a server-sent event.
 */
public interface JobContext {
    String jobId();

    /** Step {@code step} of {@code steps} finished (1-based); the ETA is derived from the pace so far. */
    void progress(int step, int steps, String message);

    /** One line of the job's log. */
    void log(String line);

    /** A finished image of this job (stored, shown in the gallery). */
    void image(ImageRow image);

    /** An intermediate picture, by URL (a validation image of a training run, a denoising frame). */
    void preview(String url, String caption);

    /** A scalar of a run at a step (loss, learning rate, images/s), stored for the charts. */
    void metric(String runId, int step, String name, double value);

    /**
     * Extra fields for the job's next progress events (e.g. loss); JSON-ready values. They override the computed ones
     * of the same name ({@code etaSeconds}).
     */
    void detail(Map<String, Object> fields);

    boolean cancelRequested();

    /** Throws {@link JobCancelledException} if a cancel was requested; call at every step boundary. */
    default void checkCancelled() {
        if (cancelRequested()) {
            throw new JobCancelledException(jobId());
        }
    }

    /**
     * At a step boundary of a long job: runs every short job waiting right now, on this thread, then returns.
     * Returns how many ran. A short job does nothing here.
     */
    int yieldToShortJobs();
}
