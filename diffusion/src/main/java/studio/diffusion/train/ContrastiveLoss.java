package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * CLIP's symmetric InfoNCE (Radford et al. 2021, Fig. 3): for L2-normalised image and text embeddings [B, P] and a
 * scale s, logits = s·I·Tᵀ; loss = ½(CE over rows + CE over columns) with the diagonal as targets.
 */
final class ContrastiveLoss {
    private ContrastiveLoss() {}

    /** x / ‖x‖ over the last axis. */
    static NDArray normalise(NDArray x) {
        return x.div(x.norm(new int[] {-1}, true));
    }

    /** {loss, image→text top-1 accuracy of the batch (no gradient use)}. */
    static NDArray[] infoNce(NDArray image, NDArray text, NDArray scale) {
        long b = image.getShape().get(0);
        NDManager m = image.getManager();
        NDArray logits = image.matMul(text.transpose()).mul(scale); // [B, B]
        NDArray eye = m.eye((int) b).toType(DataType.FLOAT32, false);
        NDArray n = m.create((float) b);
        NDArray rows = logits.logSoftmax(1).mul(eye).sum().div(n).neg();
        NDArray cols = logits.logSoftmax(0).mul(eye).sum().div(n).neg();
        NDArray loss = rows.add(cols).mul(m.create(0.5f));
        NDArray hits = logits.argMax(1).toType(DataType.INT64, false)
                .eq(m.arange(0, (int) b, 1, DataType.INT64)).toType(DataType.FLOAT32, false).mean();
        return new NDArray[] {loss, hits};
    }
}
