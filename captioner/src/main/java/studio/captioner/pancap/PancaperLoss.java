package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * The training loss: Mask2Former's {@code SetCriterion} on every decoder layer's prediction (weighted
 * cross-entropy with the no-object class down-weighted, sigmoid BCE and dice on the matched masks, both
 * normalised by the number of ground-truth segments) plus the caption decoder's next-token cross-entropy
 * and pointer cross-entropy (mean over tokens and over pointers), plus kMaX-DeepLab's auxiliary per-pixel
 * semantic cross-entropy on the pixel embeddings.
 *
 * @param classWeight Mask2Former CLASS_WEIGHT (2.0)
 * @param maskWeight MASK_WEIGHT (5.0), BCE
 * @param diceWeight DICE_WEIGHT (5.0)
 * @param noObjectWeight NO_OBJECT_WEIGHT (0.1), the CE weight of the ∅ class
 * @param captionWeight weight of the caption token loss
 * @param pointerWeight weight of the pointer loss
 * @param semanticWeight weight of kMaX-DeepLab's auxiliary per-pixel semantic loss (1.0 there)
 */
record PancaperLoss(double classWeight, double maskWeight, double diceWeight, double noObjectWeight, double captionWeight,
                    double pointerWeight, double semanticWeight) {

    /** Scalar parts, for the log; {@code total} carries the gradient. */
    record Parts(NDArray total, NDArray segmentation, NDArray caption, NDArray pointer) {}

    /** Segmentation loss of one layer's prediction given the selection [B, K, N] from the matcher. */
    NDArray segmentation(QueryDecoder.Prediction p, NDArray select, WorldBatch b) {
        NDArray logits = p.classLogits(); // [B, N, C+1]
        int c1 = (int) logits.getShape().get(2);
        NDArray matched = select.sum(new int[] {1}); // [B, N] 1 where a query is matched
        NDArray noObject = b.classes().getManager().create(oneHotLast(c1)); // [C+1]
        NDArray target = select.transpose(0, 2, 1).matMul(b.classes()) // [B, N, C+1]
                .add(matched.neg().add(1f).expandDims(2).mul(noObject));
        NDArray weights = b.classes().getManager().create(classWeights(c1, (float) noObjectWeight)); // [C+1]
        NDArray w = target.mul(weights).sum(new int[] {2}); // [B, N]
        NDArray nll = logits.logSoftmax(-1).mul(target).sum(new int[] {2}).neg(); // [B, N]
        NDArray ce = nll.mul(w).sum().div(w.sum());
        float numMasks = Math.max(1, sum(b.counts()));
        NDArray x = select.matMul(p.maskLogits()); // [B, K, HW] logits of the matched queries
        NDArray t = b.masks();
        NDArray bce = Activation.softPlus(x).sub(x.mul(t)).mean(new int[] {2}).sum().div(numMasks);
        NDArray prob = Activation.sigmoid(x);
        NDArray num = prob.mul(t).sum(new int[] {2}).mul(2f).add(1f);
        NDArray den = prob.sum(new int[] {2}).add(t.sum(new int[] {2})).add(1f);
        NDArray valid = b.valid().toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        NDArray dice = num.div(den).neg().add(1f).mul(valid).sum().div(numMasks);
        return ce.mul((float) classWeight).add(bce.mul((float) maskWeight)).add(dice.mul((float) diceWeight));
    }

    /** Per-pixel cross-entropy of the semantic logits [B, H·W, C+1] against the ground-truth classes (void pixels skipped). */
    static NDArray semantic(NDArray logits, WorldBatch b) {
        NDArray target = b.masks().transpose(0, 2, 1).matMul(b.classes()); // [B, H·W, C+1], zero rows on void
        NDArray nll = logits.logSoftmax(-1).mul(target).sum(new int[] {2}).neg(); // [B, H·W]
        return nll.sum().div(target.sum().maximum(1f));
    }

    /** Token and pointer cross-entropy of the caption decoder's output. */
    static NDArray[] caption(CaptionDecoder.Output out, WorldBatch b) {
        NDArray tokenNll = out.tokenLogits().logSoftmax(-1).mul(b.targets()).sum(new int[] {2}).neg(); // [B, T]
        NDArray tokens = tokenNll.mul(b.tokenMask()).sum().div(b.tokenMask().sum().maximum(1f));
        NDArray ptrNll = out.pointerLogits().logSoftmax(-1).mul(b.pointerTargets()).sum(new int[] {2}).neg();
        NDArray pointer = ptrNll.mul(b.pointerMask()).sum().div(b.pointerMask().sum().maximum(1f));
        return new NDArray[] {tokens, pointer};
    }

    private static float[] oneHotLast(int c1) {
        float[] v = new float[c1];
        v[c1 - 1] = 1f;
        return v;
    }

    private static float[] classWeights(int c1, float noObject) {
        float[] v = new float[c1];
        java.util.Arrays.fill(v, 1f);
        v[c1 - 1] = noObject;
        return v;
    }

    private static int sum(int[] a) {
        int s = 0;
        for (int x : a) {
            s += x;
        }
        return s;
    }
}
