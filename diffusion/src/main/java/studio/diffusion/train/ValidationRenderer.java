package studio.diffusion.train;

import java.util.List;
import studio.core.image.RgbImage;
import studio.diffusion.mmdit.SD3Transformer;

/**
 * Draws the validation images of a run at fixed prompts and seeds with the model as it is now (adapters
 * attached, dropout off, grad mode off). {@link EulerPreview} does it with the trainer's own encoders;
 * the text-to-image pipeline (studio.diffusion.pipeline) is the other implementation once it is in main.
 */
@FunctionalInterface
public interface ValidationRenderer {

    /** One image per (prompt, seed), prompt-major: p0s0, p0s1, ..., p1s0, ... */
    List<RgbImage> render(SD3Transformer model, List<String> prompts, List<Long> seeds);
}
