package studio.server.jobs;

import java.util.Map;

/**
 * The work of one job, run on the device worker thread (the only thread that touches NDArrays). Returns the
 * job's result as JSON-ready values; throws {@link JobCancelledException} (via {@link JobContext#checkCancelled()})
 * when cancelled, {@link studio.core.BadInputException} for a bad request found late (the job fails with that
 * message), anything else for an internal failure.
 */
@FunctionalInterface
public interface JobTask {
    Map<String, Object> run(JobContext context) throws Exception;
}
