package studio.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One optimizer update from the gradients accumulated on the parameters: global-norm clipping, AdamW at the given
 * rate, gradients zeroed per parameter. A non-finite gradient norm stops the run ({@link NonFiniteLossException}),
 * or, with {@code maxSkippedInARow > 0}, skips up to that many such updates in a row (torch.cuda.amp.GradScaler's
 * rule: a step with a non-finite gradient is not applied) and stops at the next.
 */
public final class GradientUpdate {
    private final double maxGradNorm;
    private final int maxSkippedInARow;
    private int skippedInARow;
    private long skipped;

    public GradientUpdate(double maxGradNorm, int maxSkippedInARow) {
        this.maxGradNorm = maxGradNorm;
        this.maxSkippedInARow = maxSkippedInARow;
    }

    /**
     * Updates {@code params} for step {@code step} (0-based) with the gradient handles in a sub-scope of
     * {@code manager}; returns the norm before clipping. {@code lastGood} names the newest checkpoint for the stop's
     * message.
     */
    public float apply(long step, Map<String, NDArray> params, AdamW opt, double lr, NDManager manager,
                       Supplier<String> lastGood) {
        float norm;
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> grads = Grads.of(params, scope);
            norm = Grads.clipGlobalNorm(grads.values(), maxGradNorm);
            if (Float.isFinite(norm)) {
                opt.step(grads, lr);
                skippedInARow = 0;
            } else if (++skippedInARow > maxSkippedInARow) {
                throw new NonFiniteLossException(step + 1, "the gradient norm", norm, lastGood.get());
            } else {
                skipped++;
            }
        }
        Grads.zero(params);
        return norm;
    }

    /** Updates skipped so far for a non-finite gradient. */
    public long skipped() {
        return skipped;
    }
}
