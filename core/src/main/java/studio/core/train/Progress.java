package studio.core.train;

/**
 * Per-step progress of a training job: the server turns these into SSE events, the CLI into a
 * progress bar ({@link ConsoleProgress}). Called on the training thread after each optimizer step;
 * implementations must return quickly and must not touch NDArrays. An exception thrown here (e.g. the server's
 * cancel) stops the run at this step boundary; the newest checkpoint on disk is then the state to resume from.
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
        };
    }
}
