package studio.eval.features.inception;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/** torchvision {@code InceptionB} (Mixed_6a), unchanged by pytorch-fid: the 35 → 17 grid reduction. */
final class InceptionB {
    private final BasicConv2d branch3x3; // in → 384, 3×3 stride 2
    private final BasicConv2d branch3x3dbl_1; // in → 64, 1×1
    private final BasicConv2d branch3x3dbl_2; // 64 → 96, 3×3 pad 1
    private final BasicConv2d branch3x3dbl_3; // 96 → 96, 3×3 stride 2

    InceptionB(Params w, int in) {
        branch3x3 = new BasicConv2d(w.pp("branch3x3"), in, 384, 3, 2, 0);
        branch3x3dbl_1 = new BasicConv2d(w.pp("branch3x3dbl_1"), in, 64, 1, 1, 0);
        branch3x3dbl_2 = new BasicConv2d(w.pp("branch3x3dbl_2"), 64, 96, 3, 1, 1);
        branch3x3dbl_3 = new BasicConv2d(w.pp("branch3x3dbl_3"), 96, 96, 3, 2, 0);
    }

    /** x [B, in, H, W] → [B, 384 + 96 + in, (H−3)/2 + 1, (W−3)/2 + 1]. */
    NDArray forward(NDArray x) {
        NDArray b3 = branch3x3.forward(x);
        NDArray bd = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        NDArray bp = Ops.maxPool2d(x, 3, 2, 0);
        return NDArrays.concat(new NDList(b3, bd, bp), 1);
    }
}
