package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import studio.core.image.RgbImage;

/** Training latent → image (the inverse of {@link LatentEncoder}), for validation images. */
public interface LatentDecoder {

    /** latent [C, h, w] fp32 → image of (h·f, w·f) pixels. */
    RgbImage decode(NDArray latent);
}
