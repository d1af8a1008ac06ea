package studio.eval.features.inception;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/**
 * pytorch-fid {@code FIDInceptionC} (Mixed_6b..6e): torchvision's InceptionC (factorised 7×7 convolutions as
 * 1×7 then 7×1) with the pool branch's average pooling excluding padded zeros. Output 4 × 192 = 768 channels.
 */
final class InceptionC {
    private final BasicConv2d branch1x1; // in → 192
    private final BasicConv2d branch7x7_1; // in → c7, 1×1
    private final BasicConv2d branch7x7_2; // c7 → c7, 1×7 pad (0, 3)
    private final BasicConv2d branch7x7_3; // c7 → 192, 7×1 pad (3, 0)
    private final BasicConv2d branch7x7dbl_1; // in → c7, 1×1
    private final BasicConv2d branch7x7dbl_2; // c7 → c7, 7×1 pad (3, 0)
    private final BasicConv2d branch7x7dbl_3; // c7 → c7, 1×7 pad (0, 3)
    private final BasicConv2d branch7x7dbl_4; // c7 → c7, 7×1 pad (3, 0)
    private final BasicConv2d branch7x7dbl_5; // c7 → 192, 1×7 pad (0, 3)
    private final BasicConv2d branchPool; // branch_pool: in → 192

    InceptionC(Params w, int in, int channels7x7) {
        int c7 = channels7x7;
        branch1x1 = new BasicConv2d(w.pp("branch1x1"), in, 192, 1, 1, 0);
        branch7x7_1 = new BasicConv2d(w.pp("branch7x7_1"), in, c7, 1, 1, 0);
        branch7x7_2 = new BasicConv2d(w.pp("branch7x7_2"), c7, c7, 1, 7, 1, 0, 3);
        branch7x7_3 = new BasicConv2d(w.pp("branch7x7_3"), c7, 192, 7, 1, 1, 3, 0);
        branch7x7dbl_1 = new BasicConv2d(w.pp("branch7x7dbl_1"), in, c7, 1, 1, 0);
        branch7x7dbl_2 = new BasicConv2d(w.pp("branch7x7dbl_2"), c7, c7, 7, 1, 1, 3, 0);
        branch7x7dbl_3 = new BasicConv2d(w.pp("branch7x7dbl_3"), c7, c7, 1, 7, 1, 0, 3);
        branch7x7dbl_4 = new BasicConv2d(w.pp("branch7x7dbl_4"), c7, c7, 7, 1, 1, 3, 0);
        branch7x7dbl_5 = new BasicConv2d(w.pp("branch7x7dbl_5"), c7, 192, 1, 7, 1, 0, 3);
        branchPool = new BasicConv2d(w.pp("branch_pool"), in, 192, 1, 1, 0);
    }

    /** x [B, in, 17, 17] → [B, 768, 17, 17]. */
    NDArray forward(NDArray x) {
        NDArray b1 = branch1x1.forward(x);
        NDArray b7 = branch7x7_3.forward(branch7x7_2.forward(branch7x7_1.forward(x)));
        NDArray bd = branch7x7dbl_1.forward(x);
        bd = branch7x7dbl_5.forward(branch7x7dbl_4.forward(branch7x7dbl_3.forward(branch7x7dbl_2.forward(bd))));
        NDArray bp = branchPool.forward(Ops.avgPool2d(x, 3, 1, 1, false));
        return NDArrays.concat(new NDList(b1, b7, bd, bp), 1);
    }
}
