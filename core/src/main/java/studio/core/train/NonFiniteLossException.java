package studio.core.train;

/**
 * A NaN or Inf loss or gradient norm: the run stops here, without saving, so the last checkpoint on
 * disk is the last good state (issue 6: "NaN or Inf loss stops the run with a clear message").
 */
public final class NonFiniteLossException extends RuntimeException {
    private final long step;

    public NonFiniteLossException(long step, String what, double value, String lastGood) {
        super(what + " is " + value + " at step " + step + "; the run stopped. Last good checkpoint: "
                + (lastGood == null ? "none (no checkpoint was written yet)" : lastGood)
                + ". Lower the learning rate or check the data, then --resume from it.");
        this.step = step;
    }

    public long step() {
        return step;
    }
}
