package studio.eval.features.inception;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * pytorch-fid {@code FIDInceptionE_1} (Mixed_7b: average pooling without padded zeros) and {@code FIDInceptionE_2}
 * (Mixed_7c: max pooling, a bug of the TF FID graph that pytorch-fid keeps); otherwise torchvision's InceptionE
 * with its split 1×3 / 3×1 branches. Output 320 + 768 + 768 + 192 = 2048 channels.
 */
final class InceptionE {
    /** The pool branch's pooling. */
    enum Pool { AVERAGE_WITHOUT_PADDING, MAX }

    private final Pool pool;
    private final BasicConv2d branch1x1; // in → 320
    private final BasicConv2d branch3x3_1; // in → 384, 1×1
    private final BasicConv2d branch3x3_2a; // 384 → 384, 1×3 pad (0, 1)
    private final BasicConv2d branch3x3_2b; // 384 → 384, 3×1 pad (1, 0)
    private final BasicConv2d branch3x3dbl_1; // in → 448, 1×1
    private final BasicConv2d branch3x3dbl_2; // 448 → 384, 3×3 pad 1
    private final BasicConv2d branch3x3dbl_3a; // 384 → 384, 1×3 pad (0, 1)
    private final BasicConv2d branch3x3dbl_3b; // 384 → 384, 3×1 pad (1, 0)
    private final BasicConv2d branchPool; // branch_pool: in → 192

    InceptionE(Params w, int in, Pool pool) {
        this.pool = pool;
        branch1x1 = new BasicConv2d(w.pp("branch1x1"), in, 320, 1, 1, 0);
        branch3x3_1 = new BasicConv2d(w.pp("branch3x3_1"), in, 384, 1, 1, 0);
        branch3x3_2a = new BasicConv2d(w.pp("branch3x3_2a"), 384, 384, 1, 3, 1, 0, 1);
        branch3x3_2b = new BasicConv2d(w.pp("branch3x3_2b"), 384, 384, 3, 1, 1, 1, 0);
        branch3x3dbl_1 = new BasicConv2d(w.pp("branch3x3dbl_1"), in, 448, 1, 1, 0);
        branch3x3dbl_2 = new BasicConv2d(w.pp("branch3x3dbl_2"), 448, 384, 3, 1, 1);
        branch3x3dbl_3a = new BasicConv2d(w.pp("branch3x3dbl_3a"), 384, 384, 1, 3, 1, 0, 1);
        branch3x3dbl_3b = new BasicConv2d(w.pp("branch3x3dbl_3b"), 384, 384, 3, 1, 1, 1, 0);
        branchPool = new BasicConv2d(w.pp("branch_pool"), in, 192, 1, 1, 0);
    }

    /** x [B, in, 8, 8] → [B, 2048, 8, 8]. */
    NDArray forward(NDArray x) {
        NDArray b1 = branch1x1.forward(x);
        NDArray b3 = branch3x3_1.forward(x);
        b3 = NDArrays.concat(new NDList(branch3x3_2a.forward(b3), branch3x3_2b.forward(b3)), 1);
        NDArray bd = branch3x3dbl_2.forward(branch3x3dbl_1.forward(x));
        bd = NDArrays.concat(new NDList(branch3x3dbl_3a.forward(bd), branch3x3dbl_3b.forward(bd)), 1);
        NDArray pooled = pool == Pool.MAX ? Ops.maxPool2d(x, 3, 1, 1) : Ops.avgPool2d(x, 3, 1, 1, false);
        NDArray bp = branchPool.forward(pooled);
        return NDArrays.concat(new NDList(b1, b3, bd, bp), 1);
    }
}
