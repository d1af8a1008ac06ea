package studio.core.train;

import java.nio.file.Path;

/**
 * A run stopped on request ({@link Progress#stopRequested()}) at a step boundary, after writing a checkpoint of that
 * step: resuming from {@link #checkpoint()} continues exactly where it stopped. Not a failure; the caller (the
 * server's Stop) reports the run as stopped.
 */
public final class TrainingStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long step;
    private final transient Path checkpoint;

    public TrainingStoppedException(long step, Path checkpoint) {
        super("stopped at step " + step + " on request; resume from " + checkpoint);
        this.step = step;
        this.checkpoint = checkpoint;
    }

    public long step() {
        return step;
    }

    public Path checkpoint() {
        return checkpoint;
    }
}
