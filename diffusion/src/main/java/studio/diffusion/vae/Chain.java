package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;

/** Sequential layers that free each intermediate as soon as the next one exists (peak = two activations). */
final class Chain {
    private Chain() {}

    /** Closes {@code previous} and returns {@code next}. */
    static NDArray replace(NDArray previous, NDArray next) {
        previous.close();
        return next;
    }

    /** Closes {@code previous} unless it is the caller's {@code input}, and returns {@code next}. */
    static NDArray replace(NDArray previous, NDArray next, NDArray input) {
        if (previous != input) {
            previous.close();
        }
        return next;
    }
}
