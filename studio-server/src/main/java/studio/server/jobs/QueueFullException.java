package studio.server.jobs;

/** The queue holds {@code capacity} waiting jobs already; the API answers 429 with this message. */
public final class QueueFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int capacity;

    public QueueFullException(int capacity) {
        super("the job queue is full (" + capacity + " jobs waiting); retry when some have finished");
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }
}
