package studio.eval.features.inception;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import studio.core.ops.Ops;
import studio.diffusion.nn.Params;

/** torchvision {@code InceptionD} (Mixed_7a), unchanged by pytorch-fid: the 17 → 8 grid reduction. */
final class InceptionD {
    private final BasicConv2d branch3x3_1; // in → 192, 1×1
    private final BasicConv2d branch3x3_2; // 192 → 320, 3×3 stride 2
    private final BasicConv2d branch7x7x3_1; // in → 192, 1×1
    private final BasicConv2d branch7x7x3_2; // 192 → 192, 1×7 pad (0, 3)
    private final BasicConv2d branch7x7x3_3; // 192 → 192, 7×1 pad (3, 0)
    private final BasicConv2d branch7x7x3_4; // 192 → 192, 3×3 stride 2

    InceptionD(Params w, int in) {
        branch3x3_1 = new BasicConv2d(w.pp("branch3x3_1"), in, 192, 1, 1, 0);
        branch3x3_2 = new BasicConv2d(w.pp("branch3x3_2"), 192, 320, 3, 2, 0);
        branch7x7x3_1 = new BasicConv2d(w.pp("branch7x7x3_1"), in, 192, 1, 1, 0);
        branch7x7x3_2 = new BasicConv2d(w.pp("branch7x7x3_2"), 192, 192, 1, 7, 1, 0, 3);
        branch7x7x3_3 = new BasicConv2d(w.pp("branch7x7x3_3"), 192, 192, 7, 1, 1, 3, 0);
        branch7x7x3_4 = new BasicConv2d(w.pp("branch7x7x3_4"), 192, 192, 3, 2, 0);
    }

    /** x [B, 768, 17, 17] → [B, 320 + 192 + 768, 8, 8]. */
    NDArray forward(NDArray x) {
        NDArray b3 = branch3x3_2.forward(branch3x3_1.forward(x));
        NDArray b7 = branch7x7x3_4.forward(branch7x7x3_3.forward(branch7x7x3_2.forward(branch7x7x3_1.forward(x))));
        NDArray bp = Ops.maxPool2d(x, 3, 2, 0);
        return NDArrays.concat(new NDList(b3, b7, bp), 1);
    }
}
