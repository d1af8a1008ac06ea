package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import studio.diffusion.nn.Params;

/**
 * Downsample2D of the encoder ("op", SD3.md §3.3, §7.12): zero-pad right and bottom by one, F.pad
 * (0, 1, 0, 1), then a 3×3 conv with stride 2 and no padding. Key {@code downsamplers.0.conv}.
 */
final class Downsample {
    private final Conv conv;

    Downsample(Params w, int channels) {
        conv = new Conv(w, "conv", channels, channels, 3, 2, 0);
    }

    /** [B, C, H, W] → [B, C, ⌊H/2⌋, ⌊W/2⌋] for even sizes H/2, W/2. x is not closed. */
    NDArray forward(NDArray x) {
        // DJL's pad takes torch's order: (left, right) of the last axis, then (top, bottom).
        try (NDArray padded = x.pad(new Shape(0, 1, 0, 1), 0)) {
            return conv.forward(padded);
        }
    }
}
