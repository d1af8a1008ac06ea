package studio.server.jobs;

/** Thrown inside a job at a step boundary after a cancel request; the job ends {@code cancelled}. */
public final class JobCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JobCancelledException(String jobId) {
        super("job " + jobId + " was cancelled");
    }
}
