package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import studio.core.train.Rng;
import studio.diffusion.mmdit.SD3Transformer;
import studio.diffusion.sampling.RectifiedFlow;

/**
 * A stable evaluation loss (SimpleTuner's eval loss, ANCHORS.md §1.3): the training objective on up to
 * {@value #ITEMS} fixed items with their long captions, each at σ = S(0.25), S(0.5), S(0.75) of the
 * training table, with noise drawn from {@code Rng.of(seed, 3)} afresh each time, so the same inputs are
 * measured at every evaluation and the number moves only with the weights. Unweighted, in the config's
 * parameterisation (precondition_outputs). Grad mode off; it draws nothing from the training streams.
 */
final class EvalLoss {
    static final int ITEMS = 8;
    private static final double[] U = {0.25, 0.5, 0.75};

    private EvalLoss() {}

    static double compute(SD3Transformer model, TrainData data, RectifiedFlow flow, boolean precondition, long seed,
                          NDManager parent) {
        Rng rng = Rng.of(seed, 3);
        float[] table = flow.trainingSigmas();
        double sum = 0;
        int count = 0;
        for (int i = 0; i < Math.min(ITEMS, data.items().size()); i++) {
            TrainData.Item item = data.items().get(i);
            FeatureCache.Entry cond = data.conditioning(item.longCaption());
            for (double u : U) {
                try (NDManager m = parent.newSubManager()) {
                    long[] zs = item.latentShape();
                    NDArray x0 = m.create(item.latent(), new Shape(1, zs[0], zs[1], zs[2]));
                    NDArray eps = rng.normal(m, x0.getShape());
                    float sigma = table[flow.index(u)];
                    NDArray s = m.full(new Shape(1, 1, 1, 1), sigma);
                    NDArray xs = RectifiedFlow.noise(x0, eps, s);
                    long[] cs = cond.shape("context");
                    NDArray v = model.toF32(model.forward(model.toCompute(xs), m.create(new float[] {flow.timestep(sigma)}),
                            model.toCompute(m.create(cond.get("context"), new Shape(1, cs[0], cs[1]))),
                            model.toCompute(m.create(cond.get("pooled"), new Shape(1, cond.shape("pooled")[0])))));
                    sum += RectifiedFlow.loss(v, x0, eps, xs, s, m.ones(new Shape(1, 1, 1, 1)), precondition).getFloat();
                    count++;
                }
            }
        }
        return sum / count;
    }
}
