package studio.core.train;

/**
 * Per-step progress of a training job: the server turns these into SSE events, the CLI into a
 * progress bar ({@link ConsoleProgress}). Called on the training thread after each optimizer step;
 * implementations must return quickly and must not touch NDArrays. An exception thrown here stops the run at this
 * step boundary with the newest checkpoint on disk as the state to resume from; {@link #stopRequested()} stops it
 * with a checkpoint of the current step (every trainer on {@link StepLoop}).
 */
@FunctionalInterface
public interface Progress {

    /**
     * @param step optimizer steps done (1-based after the first update)
     * @param total steps of the run
     * @param loss mean loss of this step's micro-batches
     * @param lr rate used by this step
     * @param gradNorm global gradient norm before clipping
     * @param imagesPerS training images per second, averaged since this process started the run
     * @param etaSeconds estimated seconds left
     */
    record Step(long step, long total, double loss, double lr, double gradNorm, double imagesPerS, double etaSeconds) {}

    void onStep(Step s);

    /** Validation images were written at {@code step} (prompt-major PNG files); the server shows them as previews. */
    default void onValidation(long step, java.util.List<java.nio.file.Path> images) {
    }

    /**
     * Asked after every step once its checkpoint and validation images (when due) are written: true makes the trainer
     * write a checkpoint of this step (unless it just did) and throw {@link TrainingStoppedException}, so the run
     * resumes exactly where it stopped (the server's Stop). Must return quickly.
     */
    default boolean stopRequested() {
        return false;
    }

    Progress NONE = s -> { };

    /** Both, in order. */
    default Progress andThen(Progress next) {
        Progress first = this;
        return new Progress() {
            @Override
            public void onStep(Step s) {
                first.onStep(s);
                next.onStep(s);
            }

            @Override
            public void onValidation(long step, java.util.List<java.nio.file.Path> images) {
                first.onValidation(step, images);
                next.onValidation(step, images);
            }

            @Override
            public boolean stopRequested() {
                return first.stopRequested() || next.stopRequested();
            }
        };
    }
}
