package studio.eval.features.inception;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * pytorch-fid {@code FIDInceptionA} (Mixed_5b, 5c, 5d): torchvision's InceptionA with the pool branch's average
 * pooling leaving padded zeros out of the divisor ({@code count_include_pad=False}), as the TF FID graph.
 * Output channels 64 + 64 + 96 + pool_features.
 */
final class InceptionA {
    private final BasicConv2d branch1x1; // in → 64, 1×1
    private final BasicConv2d branch5x5_1; // in → 48, 1×1
    private final BasicConv2d branch5x5_2; // 48 → 64, 5×5 pad 2
    private final BasicConv2d branch3x3dbl_1; // in → 64, 1×1
    private final BasicConv2d branch3x3dbl_2; // 64 → 96, 3×3 pad 1
    private final BasicConv2d branch3x3dbl_3; // 96 → 96, 3×3 pad 1
    private final BasicConv2d branchPool; // branch_pool: in → pool_features, 1×1

    InceptionA(Params w, int in, int poolFeatures) {
        branch1x1 = new BasicConv2d(w.pp("branch1x1"), in, 64, 1, 1, 0);
        branch5x5_1 = new BasicConv2d(w.pp("branch5x5_1"), in, 48, 1, 1, 0);
        branch5x5_2 = new BasicConv2d(w.pp("branch5x5_2"), 48, 64, 5, 1, 2);
        branch3x3dbl_1 = new BasicConv2d(w.pp("branch3x3dbl_1"), in, 64, 1, 1, 0);
        branch3x3dbl_2 = new BasicConv2d(w.pp("branch3x3dbl_2"), 64, 96, 3, 1, 1);
        branch3x3dbl_3 = new BasicConv2d(w.pp("branch3x3dbl_3"), 96, 96, 3, 1, 1);
        branchPool = new BasicConv2d(w.pp("branch_pool"), in, poolFeatures, 1, 1, 0);
    }

    /** x [B, in, H, W] → [B, 224 + pool_features, H, W]. */
    NDArray forward(NDArray x) {
        NDArray b1 = branch1x1.forward(x);
        NDArray b5 = branch5x5_2.forward(branch5x5_1.forward(x));
        NDArray b3 = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        NDArray bp = branchPool.forward(Ops.avgPool2d(x, 3, 1, 1, false));
        return NDArrays.concat(new NDList(b1, b5, b3, bp), 1);
    }
}
