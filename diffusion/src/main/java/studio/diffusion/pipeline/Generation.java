package studio.diffusion.pipeline;

import java.util.List;
import java.util.Map;
import studio.core.image.RgbImage;

/**
 * The outcome of one request: the images with their {@link GenerationInfo}, the final latents (host copy, fp32,
 * [B, C, h, w] in transformer space), the denoising frames of image 0 (empty unless asked) and seconds per phase.
 */
public record Generation(List<RgbImage> images, List<GenerationInfo> infos, float[] latents, long[] latentShape,
                         List<RgbImage> frames, Map<String, Double> seconds) {
    public Generation {
        images = List.copyOf(images);
        infos = List.copyOf(infos);
        frames = List.copyOf(frames);
        seconds = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(seconds));
    }
}
