package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import studio.diffusion.nn.Params;

/** Upsample2D of the decoder (SD3.md §3.3): nearest-neighbour ×2, then a 3×3 conv, padding 1. Key {@code upsamplers.0.conv}. */
final class Upsample {
    private final Conv conv;

    Upsample(Params w, int channels) {
        conv = Conv.same(w, "conv", channels, channels);
    }

    /** [B, C, H, W] → [B, C, 2H, 2W]. x is not closed. */
    NDArray forward(NDArray x) {
        try (NDArray up = nearest2x(x)) {
            return conv.forward(up);
        }
    }

    /** Each pixel repeated in a 2×2 block: [B, C, H, 1, W, 1] broadcast to [B, C, H, 2, W, 2], then merged. */
    static NDArray nearest2x(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        try (NDArray v = x.reshape(b, c, h, 1, w, 1); NDArray e = v.broadcast(new Shape(b, c, h, 2, w, 2))) {
            return e.reshape(b, c, 2 * h, 2 * w);
        }
    }
}
