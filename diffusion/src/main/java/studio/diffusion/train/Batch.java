package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import studio.core.train.Rng;

/**
 * One micro-batch as tensors: x₀ [B, C, h, w] from the cached latents, and the cached conditioning of
 * each sample's drawn caption, context [B, T, D] and pooled [B, P].
 */
record Batch(NDArray x0, NDArray context, NDArray pooled) {

    /**
     * The caption of one item: "long" (grounded caption, tags stripped), "short" (the long one when the
     * sample has none), or "mix" (short with probability short_ratio); then the empty prompt with
     * probability caption_dropout. Two draws from {@code rng} per item whatever the mode, so the stream
     * does not depend on it.
     */
    static String caption(TrainData.Item item, TrainConfig.Data d, Rng rng) {
        double pick = rng.nextDouble();
        double drop = rng.nextDouble();
        if (drop < d.captionDropout()) {
            return "";
        }
        boolean useShort = d.caption().equals("short") || (d.caption().equals("mix") && pick < d.shortRatio());
        return useShort && item.shortCaption() != null ? item.shortCaption() : item.longCaption();
    }

    static Batch assemble(int[] indices, TrainData data, TrainConfig.Data d, Rng rng, NDManager scope) {
        TrainData.Item first = data.items().get(indices[0]);
        long[] zs = first.latentShape();
        int zn = first.latent().length;
        float[] x0 = new float[indices.length * zn];
        FeatureCache.Entry c0 = null;
        float[] ctx = null;
        float[] pooled = null;
        for (int i = 0; i < indices.length; i++) {
            TrainData.Item item = data.items().get(indices[i]);
            System.arraycopy(item.latent(), 0, x0, i * zn, zn);
            FeatureCache.Entry e = data.conditioning(caption(item, d, rng));
            if (c0 == null) {
                c0 = e;
                ctx = new float[indices.length * e.get("context").length];
                pooled = new float[indices.length * e.get("pooled").length];
            }
            System.arraycopy(e.get("context"), 0, ctx, i * e.get("context").length, e.get("context").length);
            System.arraycopy(e.get("pooled"), 0, pooled, i * e.get("pooled").length, e.get("pooled").length);
        }
        long b = indices.length;
        long[] cs = c0.shape("context");
        return new Batch(scope.create(x0, new Shape(b, zs[0], zs[1], zs[2])),
                scope.create(ctx, new Shape(b, cs[0], cs[1])),
                scope.create(pooled, new Shape(b, c0.shape("pooled")[0])));
    }
}
