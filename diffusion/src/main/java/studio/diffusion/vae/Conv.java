package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import studio.diffusion.nn.Params;

/** A Conv2d with bias under {@code name} ({@code name.weight} [out, in, k, k], {@code name.bias} [out]). */
final class Conv {
    private final NDArray weight;
    private final NDArray bias;
    private final int stride;
    private final int padding;

    Conv(Params w, String name, int out, int in, int kernel, int stride, int padding) {
        this.weight = w.get(name + ".weight", out, in, kernel, kernel);
        this.bias = w.get(name + ".bias", out);
        this.stride = stride;
        this.padding = padding;
    }

    /** 3×3, stride 1, padding 1: the VAE's default conv (SD3.md §3.3). */
    static Conv same(Params w, String name, int out, int in) {
        return new Conv(w, name, out, in, 3, 1, 1);
    }

    /** x [B, in, H, W] → [B, out, H', W']; activation first, so the result lands in x's manager. */
    NDArray forward(NDArray x) {
        return Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), 1).singletonOrThrow();
    }
}
