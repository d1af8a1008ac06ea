package studio.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import studio.diffusion.mmdit.SD3Transformer;
import studio.diffusion.sampling.Guidance;
import studio.diffusion.sampling.RectifiedFlow;
import studio.diffusion.sampling.Samplers;

/** The denoiser a request needs: CFG over [uncond, cond] when guidance &gt; 1, the conditional model alone otherwise (SD3.md §2.5). */
final class Denoisers {
    private Denoisers() {}

    /**
     * context/pooled: [2B, …] = cat([uncond, cond]) with CFG, [B, …] without; fp32. Skip-layer guidance (null for
     * none) runs inside CFG only, as in diffusers (SD3.md §2.5).
     */
    static Samplers.Denoiser of(SD3Transformer model, NDArray context, NDArray pooled, float guidance,
                                Guidance.SkipLayer slg, int steps) {
        return guidance > 1f ? Guidance.cfg(model, context, pooled, guidance, slg, steps)
                : conditional(model, context, pooled);
    }

    /** v = model(x, σ·1000, context, pooled), the path diffusers takes when guidance ≤ 1 (no negative prompt). */
    static Samplers.Denoiser conditional(SD3Transformer model, NDArray context, NDArray pooled) {
        NDArray ctx = model.toCompute(context);
        NDArray pool = model.toCompute(pooled);
        return (x, sigma, step) -> {
            // As Guidance.cfg: lend ctx and pooled to the step scope so the context stream's arrays are freed with it.
            if (ctx.getManager() != x.getManager()) {
                ctx.tempAttach(x.getManager());
                pool.tempAttach(x.getManager());
            }
            NDArray t = x.getManager().full(new Shape(x.getShape().get(0)), RectifiedFlow.SD3.timestep(sigma));
            return model.toF32(model.forward(model.toCompute(x), t, ctx, pool));
        };
    }
}
