package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import studio.core.image.RgbImage;

/**
 * Image → training latent x₀, as the trainer needs it: for SD3's VAE that is
 * {@code (vae.encode(img).latent_dist.sample() − 0.0609)·1.5305} with the image in [−1, 1] (SD3.md §2.6).
 * The VAE of {@code studio.diffusion.vae} adapts to this when it lands; {@link PixelLatents} is the
 * exact, weight-free one used by the tiny configs and tests.
 */
public interface LatentEncoder {

    /** Names the model and every setting that changes the output: part of the latent cache key. */
    String id();

    /** Latent channels (16 for SD3). */
    int channels();

    /** Pixels per latent cell (8 for SD3). */
    int factor();

    /** image (H, W multiples of {@link #factor()}) → [C, H/f, W/f] fp32 in {@code manager}. */
    NDArray encode(NDManager manager, RgbImage image);
}
