package studio.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import studio.diffusion.pipeline.SeededNoise;

/**
 * The encoder's diagonal Gaussian (SD3.md §3.2): mean and log-variance [B, latent, h, w], fp32, logvar
 * clamped to [−30, 20]. The latents the transformer sees are normalised, z = (sample − shift)·scale,
 * where sample is the mean ({@link #latents()}) or mean + exp(logvar/2)·ε ({@link #sample}).
 */
public final class LatentDistribution implements AutoCloseable {
    private final NDArray mean;
    private final NDArray logvar;
    private final VaeConfig config;

    /** Splits moments [B, 2·latent, h, w] (mean first) and clamps the log-variance; moments are closed. */
    LatentDistribution(NDArray moments, VaeConfig config) {
        this.config = config;
        int c = config.latentChannels();
        try (moments) {
            this.mean = moments.get(":, 0:" + c).duplicate();
            try (NDArray lv = moments.get(":, " + c + ":")) {
                this.logvar = lv.clip(-30.0, 20.0);
            }
        }
    }

    /** The un-normalised mean [B, latent, h, w]. */
    public NDArray mean() {
        return mean;
    }

    /** The clamped log-variance [B, latent, h, w]. */
    public NDArray logvar() {
        return logvar;
    }

    /** Deterministic normalised latents (mean − shift)·scale, in the mean's manager. */
    public NDArray latents() {
        return AutoencoderKL.normalise(mean, config);
    }

    /** Normalised latents of mean + std·eps; eps [B, latent, h, w] fp32. */
    public NDArray sample(NDArray eps) {
        try (NDArray half = scalar(0.5); NDArray lv = logvar.mul(half); NDArray std = lv.exp(); NDArray noise = std.mul(eps); NDArray z = mean.add(noise)) {
            return AutoencoderKL.normalise(z, config);
        }
    }

    /** As {@link #sample(NDArray)} with ε from {@link SeededNoise} (sample i of the batch from seed + i). */
    public NDArray sample(long seed) {
        Shape s = mean.getShape();
        try (NDArray eps = SeededNoise.gaussian(mean.getManager(), seed, (int) s.get(0), s.get(1), s.get(2), s.get(3))) {
            return sample(eps);
        }
    }

    private NDArray scalar(double v) {
        return mean.getManager().full(new Shape(), (float) v, DataType.FLOAT32);
    }

    @Override
    public void close() {
        mean.close();
        logvar.close();
    }
}
