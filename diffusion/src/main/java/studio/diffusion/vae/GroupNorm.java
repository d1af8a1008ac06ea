package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/** GroupNorm(groups, C, eps 1e-6) with affine weight and bias (SD3.md §3.3), through the fused kernel. */
final class GroupNorm {
    static final double EPS = 1e-6;

    private final int groups;
    private final NDArray weight;
    private final NDArray bias;

    GroupNorm(Params w, String name, int groups, int channels) {
        this.groups = groups;
        this.weight = w.get(name + ".weight", channels);
        this.bias = w.get(name + ".bias", channels);
    }

    NDArray forward(NDArray x) {
        return Ops.groupNorm(x, groups, weight, bias, EPS);
    }

    /** SiLU(GroupNorm(x)), freeing the normalised intermediate at once (VAE activations are the largest arrays). */
    NDArray forwardSilu(NDArray x) {
        try (NDArray n = forward(x)) {
            return Ops.silu(n);
        }
    }
}
