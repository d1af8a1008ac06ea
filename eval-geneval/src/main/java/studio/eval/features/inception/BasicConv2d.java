package studio.eval.features.inception;

import ai.djl.ndarray.NDArray;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * torchvision {@code inception.BasicConv2d}: convolution without bias, BatchNorm2d (eps 0.001, running statistics),
 * ReLU. Keys {@code <name>.conv.weight}, {@code <name>.bn.{weight, bias, running_mean, running_var}}.
 */
final class BasicConv2d {
    /** torchvision's {@code nn.BatchNorm2d(out_channels, eps=0.001)} (the TF graph's value). */
    static final double BN_EPS = 0.001;

    private final NDArray convWeight; // conv.weight [Cout, Cin, kh, kw]
    private final NDArray bnWeight; // bn.weight [Cout]
    private final NDArray bnBias; // bn.bias [Cout]
    private final NDArray bnRunningMean; // bn.running_mean [Cout]
    private final NDArray bnRunningVar; // bn.running_var [Cout]
    private final int[] stride;
    private final int[] padding;

    /** A square kernel. */
    BasicConv2d(Params w, int in, int out, int kernel, int stride, int padding) {
        this(w, in, out, kernel, kernel, stride, padding, padding);
    }

    /** A kernel of kh × kw with padding (padH, padW), as the factorised 1×7 / 7×1 and 1×3 / 3×1 convolutions. */
    BasicConv2d(Params w, int in, int out, int kh, int kw, int stride, int padH, int padW) {
        convWeight = w.get("conv.weight", out, in, kh, kw);
        bnWeight = w.get("bn.weight", out);
        bnBias = w.get("bn.bias", out);
        bnRunningMean = w.get("bn.running_mean", out);
        bnRunningVar = w.get("bn.running_var", out);
        this.stride = new int[] {stride, stride};
        this.padding = new int[] {padH, padW};
    }

    /** x [B, Cin, H, W] → [B, Cout, H', W']. */
    NDArray forward(NDArray x) {
        NDArray y = Ops.conv2d(x, convWeight, null, stride, padding);
        return Ops.relu(Ops.batchNorm(y, bnRunningMean, bnRunningVar, bnWeight, bnBias, BN_EPS));
    }
}
