package studio.core.train;

/**
 * Per-step progress of a training job: the server turns these into SSE events, the CLI into a
 * progress bar ({@link ConsoleProgress}). Called on the training thread after each optimizer step;
 * implementations must return quickly and must not touch NDArrays.
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

    Progress NONE = s -> { };

    /** Both, in order. */
    default Progress andThen(Progress next) {
        return s -> {
            onStep(s);
            next.onStep(s);
        };
    }
}
