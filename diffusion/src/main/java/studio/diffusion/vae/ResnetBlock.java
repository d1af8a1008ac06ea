package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import studio.diffusion.nn.Params;

/**
 * ResnetBlock2D without time embedding (SD3.md §3.3): h = conv1(SiLU(norm1 x)); h = conv2(SiLU(norm2 h));
 * out = shortcut(x) + h, where {@code conv_shortcut} (1×1) exists only when in ≠ out. Dropout is identity at
 * inference. Intermediates are closed as soon as they are used: at 1024² one activation of the last
 * decoder level is 512 MB in fp32, and leaving them to the scope would hold a dozen at once.
 */
final class ResnetBlock {
    private final GroupNorm norm1;
    private final Conv conv1;
    private final GroupNorm norm2;
    private final Conv conv2;
    private final Conv shortcut; // null when in == out

    ResnetBlock(Params w, int in, int out, int groups) {
        norm1 = new GroupNorm(w, "norm1", groups, in);
        conv1 = Conv.same(w, "conv1", out, in);
        norm2 = new GroupNorm(w, "norm2", groups, out);
        conv2 = Conv.same(w, "conv2", out, out);
        shortcut = in == out ? null : new Conv(w, "conv_shortcut", out, in, 1, 1, 0);
    }

    /** x [B, in, H, W] → [B, out, H, W]; x is not closed. */
    NDArray forward(NDArray x) {
        NDArray h;
        try (NDArray a = norm1.forwardSilu(x)) {
            h = conv1.forward(a);
        }
        NDArray h2;
        try (NDArray a = norm2.forwardSilu(h)) {
            h.close();
            h2 = conv2.forward(a);
        }
        if (shortcut == null) {
            try (h2) {
                return x.add(h2);
            }
        }
        try (h2; NDArray s = shortcut.forward(x)) {
            return s.add(h2);
        }
    }
}
