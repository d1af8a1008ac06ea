package studio.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import studio.core.image.RgbImage;
import studio.core.train.Rng;
import studio.diffusion.mmdit.SD3Transformer;
import studio.diffusion.sampling.Guidance;
import studio.diffusion.sampling.RectifiedFlow;
import studio.diffusion.sampling.Samplers;

/**
 * Validation images with the trainer's encoders: initial noise from {@code Rng(seed)} (the same on every
 * run), Euler over the flow's inference sigmas with CFG against the empty prompt (SD3.md §2.4–2.5), then
 * the latent decoder. Used by tiny runs; real SD3 runs use the pipeline once it is in main.
 */
public final class EulerPreview implements ValidationRenderer {
    private final TextConditioner text;
    private final LatentEncoder latents;
    private final LatentDecoder decoder;
    private final RectifiedFlow flow;
    private final int steps;
    private final float guidance;
    private final int size;

    public EulerPreview(TextConditioner text, LatentEncoder latents, LatentDecoder decoder, RectifiedFlow flow, int steps,
                        float guidance, int size) {
        this.text = text;
        this.latents = latents;
        this.decoder = decoder;
        this.flow = flow;
        this.steps = steps;
        this.guidance = guidance;
        this.size = size;
    }

    @Override
    public List<RgbImage> render(SD3Transformer model, List<String> prompts, List<Long> seeds) {
        List<RgbImage> out = new ArrayList<>();
        int side = size / latents.factor();
        // on the model's device (its weights'), so a GPU run samples on the GPU
        try (NDManager m = NDManager.newBaseManager(model.linears().values().iterator().next().weight().getDevice())) {
            TextConditioner.Conditioning uncond = text.encode(m, "");
            for (String prompt : prompts) {
                TextConditioner.Conditioning cond = text.encode(m, prompt);
                NDArray ctx = NDArrays.stack(new NDList(uncond.context(), cond.context()));
                NDArray pooled = NDArrays.stack(new NDList(uncond.pooled(), cond.pooled()));
                Samplers.Denoiser d = Guidance.cfg(model, ctx, pooled, guidance, null, steps);
                for (long seed : seeds) {
                    try (NDManager one = m.newSubManager()) {
                        NDArray x = new Rng(seed).normal(one, new Shape(1, latents.channels(), side, side));
                        NDArray z = Samplers.euler(d, x, flow.sigmas(steps), Samplers.StepCallback.NONE);
                        out.add(decoder.decode(z.get(0)));
                    }
                }
            }
        }
        return out;
    }
}
