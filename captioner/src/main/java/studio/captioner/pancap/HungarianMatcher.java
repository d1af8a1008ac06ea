package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import studio.captioner.check.Hungarian;

/**
 * Mask2Former's {@code HungarianMatcher} (mask2former/modeling/matcher.py): per image, the one-to-one
 * assignment of ground-truth segments to queries minimising
 * {@code w_class·(−p(class)) + w_mask·BCE(mask) + w_dice·dice(mask)}, the BCE and dice costs taken over
 * all pixels (the reference samples points; the world's masks are small enough to use them all).
 * Costs are computed without gradient; the assignment is {@link Hungarian} (scipy's linear_sum_assignment role).
 */
final class HungarianMatcher {
    private final double wClass;
    private final double wMask;
    private final double wDice;

    HungarianMatcher(double wClass, double wMask, double wDice) {
        this.wClass = wClass;
        this.wMask = wMask;
        this.wDice = wDice;
    }

    /**
     * classLogits [B, N, C+1], maskLogits [B, N, H·W], gt masks [B, K, H·W], gt class one-hots [B, K, C+1],
     * counts (real segments per image) → one-hot selection [B, K, N] (row k = the query matched to segment k;
     * zero rows for padding), in the manager of {@code gtMasks}.
     */
    NDArray match(NDArray classLogits, NDArray maskLogits, NDArray gtMasks, NDArray gtClasses, int[] counts) {
        NDManager m = gtMasks.getManager();
        Shape s = maskLogits.getShape();
        int b = (int) s.get(0);
        int n = (int) s.get(1);
        int k = (int) gtMasks.getShape().get(1);
        float[] cost;
        try (NDManager tmp = m.newSubManager()) {
            NDArray logits = maskLogits.stopGradient();
            logits.attach(tmp);
            NDArray cls = classLogits.stopGradient();
            cls.attach(tmp);
            cost = cost(cls, logits, gtMasks, gtClasses).toFloatArray(); // [B, N, K]
        }
        float[] sel = new float[b * k * n];
        for (int i = 0; i < b; i++) {
            double[][] c = new double[counts[i]][n];
            for (int g = 0; g < counts[i]; g++) {
                for (int q = 0; q < n; q++) {
                    c[g][q] = cost[(i * n + q) * k + g];
                }
            }
            int[] assigned = Hungarian.solve(c);
            for (int g = 0; g < counts[i]; g++) {
                sel[(i * k + g) * n + assigned[g]] = 1f;
            }
        }
        return m.create(sel, new Shape(b, k, n));
    }

    /** The cost matrix [B, N, K] (arrays land in the logits' manager). */
    private NDArray cost(NDArray cls, NDArray logits, NDArray gtMasks, NDArray gtClasses) {
        float hw = logits.getShape().get(2);
        NDArray costClass = cls.softmax(-1).matMul(gtClasses.transpose(0, 2, 1)).neg(); // [B, N, K]
        NDArray pos = Activation.softPlus(logits.neg()); // −log σ(x)
        NDArray neg = Activation.softPlus(logits); // −log(1 − σ(x))
        NDArray tT = gtMasks.transpose(0, 2, 1); // [B, HW, K]
        NDArray costMask = pos.matMul(tT).add(neg.matMul(tT.neg().add(1f))).div(hw);
        NDArray prob = Activation.sigmoid(logits);
        NDArray numerator = prob.matMul(tT).mul(2f);
        NDArray denominator = prob.sum(new int[] {2}, true).add(gtMasks.sum(new int[] {2}).expandDims(1));
        NDArray costDice = numerator.add(1f).div(denominator.add(1f)).neg().add(1f);
        return costClass.mul((float) wClass).add(costMask.mul((float) wMask)).add(costDice.mul((float) wDice));
    }
}
