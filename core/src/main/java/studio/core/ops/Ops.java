package studio.core.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

/**
 * The single home of functional layers. Every function takes the activation first, so results
 * land in the activation's manager, never in the weights' (STYLE.md pitfall 1). The default path
 * uses fused entry points: DJL's {@code Linear.linear}/{@code LayerNorm.layerNorm}/{@code gelu}
 * where they exist, otherwise the TorchScript {@link Kernels} (ARCHITECTURE.md decision 3). Each
 * function has a composite twin in {@link Plain}, written with DJL ops only, used by the tests.
 *
 * <p>The fused path creates no host-side scalar tensors (pitfall 3): constants such as eps, scale
 * and 1.702 are arguments of, or literals in, the kernels.
 */
public final class Ops {

    private Ops() {}

    /** x·wᵀ + b. x [..., in], w [out, in] (PyTorch layout), b [out] or null → [..., out]. */
    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return (b == null ? Linear.linear(x, w) : Linear.linear(x, w, b)).singletonOrThrow();
    }

    /**
     * 2-D convolution (torch.nn.functional.conv2d). x [B, Cin, H, W], w [Cout, Cin, k, k], b [Cout] or null,
     * square stride and padding → [B, Cout, H', W'].
     */
    public static NDArray conv2d(NDArray x, NDArray w, NDArray b, int stride, int padding) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1)).singletonOrThrow();
    }

    /**
     * 2-D convolution with a rectangular kernel, stride and padding (Inception's 1×7 / 7×1 factorised convolutions).
     * x [B, Cin, H, W], w [Cout, Cin, kh, kw], b [Cout] or null; stride and padding as {height, width}.
     */
    public static NDArray conv2d(NDArray x, NDArray w, NDArray b, int[] stride, int[] padding) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, new Shape(stride[0], stride[1]),
                new Shape(padding[0], padding[1]), new Shape(1, 1)).singletonOrThrow();
    }

    /**
     * Inference batch norm over axis 1 with running statistics (torch.nn.functional.batch_norm, training=False):
     * (x − mean) / √(var + eps) · w + b. x [B, C, ...], mean, var, w, b [C].
     */
    public static NDArray batchNorm(NDArray x, NDArray mean, NDArray var, NDArray w, NDArray b, double eps) {
        return ai.djl.nn.norm.BatchNorm.batchNorm(x, mean, var, w, b, 1, 0.1f, (float) eps, false).singletonOrThrow();
    }

    /** torch.nn.functional.max_pool2d with a square kernel, stride and padding, floor mode. x [B, C, H, W]. */
    public static NDArray maxPool2d(NDArray x, int kernel, int stride, int padding) {
        return ai.djl.nn.pooling.Pool.maxPool2d(x, new Shape(kernel, kernel), new Shape(stride, stride),
                new Shape(padding, padding), false);
    }

    /**
     * torch.nn.functional.avg_pool2d with a square kernel, stride and padding, floor mode; with
     * {@code countIncludePad} false the padded zeros are left out of each window's divisor (TensorFlow's
     * "SAME" average pooling, which the FID Inception relies on). x [B, C, H, W].
     *
     * <p>DJL 0.35's native avg-pool ignores its {@code count_include_pad} argument (measured: a 3×3 corner
     * window of 1..9 gives 12/9 either way), so the excluding form is computed as the padded mean divided by
     * the padded mean of ones, i.e. the window sum over the number of real pixels in it; that quotient is
     * the same whichever way the native call counts.
     */
    public static NDArray avgPool2d(NDArray x, int kernel, int stride, int padding, boolean countIncludePad) {
        Shape k = new Shape(kernel, kernel);
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(padding, padding);
        NDArray mean = ai.djl.nn.pooling.Pool.avgPool2d(x, k, s, p, false, true);
        if (countIncludePad || padding == 0) {
            return mean;
        }
        Shape in = x.getShape();
        try (NDArray ones = x.getManager().ones(new Shape(1, 1, in.get(2), in.get(3)), x.getDataType());
             NDArray share = ai.djl.nn.pooling.Pool.avgPool2d(ones, k, s, p, false, true)) {
            return mean.div(share);
        }
    }

    /** Nearest-neighbour up-sampling by an integer factor (F.interpolate mode "nearest"). x [B, C, H, W] → [B, C, fH, fW]. */
    public static NDArray upsampleNearest(NDArray x, int factor) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), s.get(2), 1, s.get(3), 1)
                .broadcast(new Shape(s.get(0), s.get(1), s.get(2), factor, s.get(3), factor))
                .reshape(s.get(0), s.get(1), s.get(2) * factor, s.get(3) * factor);
    }

    /** LayerNorm over the last axis; w and b [D] or null (SD3's norms have no affine). x [..., D]. */
    public static NDArray layerNorm(NDArray x, NDArray w, NDArray b, double eps) {
        if (w != null && b != null) {
            Shape last = new Shape(x.getShape().get(x.getShape().dimension() - 1));
            return LayerNorm.layerNorm(x, last, w, b, (float) eps).singletonOrThrow();
        }
        NDArray y = Kernels.of(x).layerNorm(x, eps);
        if (w == null && b == null) {
            return y;
        }
        return w != null ? y.mul(w) : y.add(b);
    }

    /** LN(x)·(1 + scale) + shift, LN without affine (SD3 AdaLayerNorm). x [B, L, D], shift/scale [B, D]. */
    public static NDArray layerNormModulate(NDArray x, NDArray shift, NDArray scale, double eps) {
        return Kernels.of(x).layerNormModulate(x, shift, scale, eps);
    }

    /** x·(1 + scale) + shift. x [B, L, D], shift and scale [B, D]. */
    public static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
        return Kernels.of(x).modulate(x, shift, scale);
    }

    /** x + gate·y (SD3 gated residual). x and y [B, L, D], gate [B, D]. */
    public static NDArray addGated(NDArray x, NDArray gate, NDArray y) {
        return Kernels.of(x).addGated(x, gate, y);
    }

    /** x / √(mean(x²) + eps) · w over the last axis (T5 LayerNorm, SD3.5 QK-norm); w [D] or null. */
    public static NDArray rmsNorm(NDArray x, NDArray w, double eps) {
        return Kernels.of(x).rmsNorm(x, w, eps);
    }

    /** GroupNorm. x [B, C, ...], w and b [C]; the SD3 VAE uses groups 32, eps 1e-6. */
    public static NDArray groupNorm(NDArray x, int groups, NDArray w, NDArray b, double eps) {
        return Kernels.of(x).groupNorm(x, groups, w, b, eps);
    }

    /** tanh-approximate GELU ("gelu_new", "gelu-approximate"; SD3 MMDiT FF, T5). */
    public static NDArray geluTanh(NDArray x) {
        return Kernels.of(x).geluTanh(x);
    }

    /** exact erf GELU (OpenCLIP bigG). DJL's gelu is already the fused torch.nn.functional.gelu. */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /** x·sigmoid(1.702·x) (CLIP-L "quick_gelu"). */
    public static NDArray quickGelu(NDArray x) {
        return Kernels.of(x).quickGelu(x);
    }

    /** max(x, 0). */
    public static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    /** x·sigmoid(x). */
    public static NDArray silu(NDArray x) {
        return Kernels.of(x).silu(x);
    }

    /** softmax(q·kᵀ/√D)·v. q [B, H, Lq, D], k and v [B, H, Lk, D] → [B, H, Lq, D]. */
    public static NDArray attention(NDArray q, NDArray k, NDArray v) {
        return Kernels.of(q).attention(q, k, v);
    }

    /** As {@link #attention(NDArray, NDArray, NDArray)} with a boolean (true = attend) or additive mask. */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask) {
        return Kernels.of(q).attention(q, k, v, mask, Kernels.defaultScale(q));
    }

    /** Attention with an explicit scale (T5: 1.0); mask may be null. */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask, double scale) {
        return Kernels.of(q).attention(q, k, v, mask, scale);
    }

    /** [B, L, H·D] → [B, H, L, D]. */
    public static NDArray splitHeads(NDArray x, int heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** [B, H, L, D] → [B, L, H·D]. */
    public static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }

    /**
     * Composite twins of the fused functions, written with DJL ops only (the textbook formulas).
     * For tests and benchmarks; model code calls {@link Ops}.
     */
    public static final class Plain {

        private Plain() {}

        /**
         * A scalar with its own storage, for multiplications that autograd records. DJL's {@code mul(Number)}
         * wraps a Java buffer in a tensor and closes it right after the op, but the backward pass of
         * {@code mul}/{@code div}/{@code pow} keeps that operand: its memory may be reused by then (seen as
         * sporadic NaN gradients in the LoRA trainer). {@code full} allocates in libtorch instead.
         */
        static NDArray constant(NDArray like, double value) {
            return like.getManager().full(new Shape(), (float) value, like.getDataType());
        }

        public static NDArray linear(NDArray x, NDArray w, NDArray b) {
            NDArray y = x.matMul(w.transpose());
            return b == null ? y : y.add(b);
        }

        public static NDArray layerNorm(NDArray x, NDArray w, NDArray b, double eps) {
            NDArray centred = x.sub(x.mean(new int[] {-1}, true));
            NDArray variance = centred.square().mean(new int[] {-1}, true);
            NDArray y = centred.div(variance.add(eps).sqrt());
            if (w != null) {
                y = y.mul(w);
            }
            return b == null ? y : y.add(b);
        }

        public static NDArray layerNormModulate(NDArray x, NDArray shift, NDArray scale, double eps) {
            return modulate(layerNorm(x, null, null, eps), shift, scale);
        }

        public static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
            return x.mul(scale.expandDims(1).add(1)).add(shift.expandDims(1));
        }

        public static NDArray addGated(NDArray x, NDArray gate, NDArray y) {
            return x.add(y.mul(gate.expandDims(1)));
        }

        public static NDArray batchNorm(NDArray x, NDArray mean, NDArray var, NDArray w, NDArray b, double eps) {
            long[] channelShape = new long[x.getShape().dimension()];
            java.util.Arrays.fill(channelShape, 1);
            channelShape[1] = mean.getShape().get(0);
            NDArray scale = var.add(constant(var, eps)).sqrt().reshape(channelShape);
            return x.sub(mean.reshape(channelShape)).div(scale).mul(w.reshape(channelShape)).add(b.reshape(channelShape));
        }

        public static NDArray rmsNorm(NDArray x, NDArray w, double eps) {
            NDArray y = x.div(x.square().mean(new int[] {-1}, true).add(eps).sqrt());
            return w == null ? y : y.mul(w);
        }

        /** Statistics per (sample, group) over the group's channels and all spatial positions. */
        public static NDArray groupNorm(NDArray x, int groups, NDArray w, NDArray b, double eps) {
            Shape s = x.getShape();
            long channels = s.get(1);
            NDArray grouped = x.reshape(s.get(0), groups, -1);
            NDArray centred = grouped.sub(grouped.mean(new int[] {2}, true));
            NDArray variance = centred.square().mean(new int[] {2}, true);
            NDArray y = centred.div(variance.add(eps).sqrt()).reshape(s);
            long[] affineShape = new long[s.dimension()];
            java.util.Arrays.fill(affineShape, 1);
            affineShape[1] = channels;
            return y.mul(w.reshape(affineShape)).add(b.reshape(affineShape));
        }

        public static NDArray geluTanh(NDArray x) {
            NDArray cube = x.mul(x).mul(x);
            NDArray inner = x.add(cube.mul(constant(x, 0.044715))).mul(constant(x, Math.sqrt(2 / Math.PI)));
            return x.mul(constant(x, 0.5)).mul(inner.tanh().add(1));
        }

        public static NDArray gelu(NDArray x) {
            return x.mul(constant(x, 0.5)).mul(x.mul(constant(x, 1 / Math.sqrt(2))).erf().add(1));
        }

        public static NDArray quickGelu(NDArray x) {
            return x.mul(Activation.sigmoid(x.mul(constant(x, 1.702))));
        }

        public static NDArray silu(NDArray x) {
            return x.mul(Activation.sigmoid(x));
        }

        public static NDArray relu(NDArray x) {
            return x.maximum(constant(x, 0));
        }

        public static NDArray attention(NDArray q, NDArray k, NDArray v) {
            return attention(q, k, v, null, Kernels.defaultScale(q));
        }

        /** softmax(q·kᵀ·scale + mask)·v; a boolean mask puts -inf where it is false. */
        public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask, double scale) {
            int d = k.getShape().dimension();
            NDArray scores = q.matMul(k.swapAxes(d - 1, d - 2)).mul(constant(q, scale));
            if (mask != null && mask.getDataType() == DataType.BOOLEAN) {
                // DJL's where does not broadcast: expand the mask and the fill to the scores' shape.
                Shape shape = scores.getShape();
                NDArray blocked = scores.getManager().full(shape, Float.NEGATIVE_INFINITY, scores.getDataType());
                scores = NDArrays.where(mask.broadcast(shape), scores, blocked);
            } else if (mask != null) {
                scores = scores.add(mask);
            }
            return scores.softmax(-1).matMul(v);
        }
    }
}
