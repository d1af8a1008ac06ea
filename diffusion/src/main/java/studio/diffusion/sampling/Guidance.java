package studio.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Set;
import studio.diffusion.mmdit.SD3Transformer;

/**
 * Classifier-free guidance over one [uncond, cond] batch (SD3.md §2.5, §7.9) and SD3.5's skip-layer
 * guidance, as a {@link Samplers.Denoiser} around the MMDiT. Inputs fp32; the model runs in its
 * compute precision; the velocity returned is fp32.
 */
public final class Guidance {
    private Guidance() {}

    /**
     * Skip-layer guidance: on steps i with steps·start &lt; i &lt; steps·stop, an extra forward of the
     * cond half with {@code layers} skipped, v += (v_cond − v_skip)·scale.
     */
    public record SkipLayer(Set<Integer> layers, float scale, float start, float stop) {
        /** diffusers' SD3.5-medium recipe: layers 7, 8, 9; scale 2.8; 1 %–20 % of the steps. */
        public static SkipLayer sd35Medium() {
            return new SkipLayer(Set.of(7, 8, 9), 2.8f, 0.01f, 0.2f);
        }

        boolean active(int step, int steps) {
            return steps * start < step && step < steps * stop;
        }
    }

    /**
     * context [2B, T, joint_dim] and pooled [2B, P] = cat([uncond, cond]) (fp32); scale g (CFG is
     * v_u + g·(v_c − v_u), applied whatever g); slg may be null; steps = sigmas.length − 1.
     */
    public static Samplers.Denoiser cfg(SD3Transformer model, NDArray context, NDArray pooled, float scale,
                                        SkipLayer slg, int steps) {
        RectifiedFlow flow = RectifiedFlow.SD3;
        // Cast once; these live in the caller's manager as long as the inputs do.
        NDArray ctx = model.toCompute(context);
        NDArray pool = model.toCompute(pooled);
        return (x, sigma, step) -> {
            long b = x.getShape().get(0);
            // The context stream's arrays land in ctx's manager (activation first): lend ctx and pooled to
            // x's manager (the sampler's step scope) so they come back when the step closes (pitfall 2).
            if (ctx.getManager() != x.getManager()) { // not twice in one scope (Heun): it would stay there
                ctx.tempAttach(x.getManager());
                pool.tempAttach(x.getManager());
            }
            NDArray t = x.getManager().full(new Shape(2 * b), flow.timestep(sigma));
            NDArray in = model.toCompute(NDArrays.concat(new NDList(x, x), 0));
            NDArray out = model.toF32(model.forward(in, t, ctx, pool));
            NDArray vu = out.get("0:" + b);
            NDArray vc = out.get(b + ":");
            NDArray v = vu.add(vc.sub(vu).mul(scale));
            if (slg != null && slg.active(step, steps)) {
                NDArray vs = model.toF32(model.forward(model.toCompute(x), t.get("0:" + b),
                        ctx.get(b + ":"), pool.get(b + ":"), slg.layers()));
                v = v.add(vc.sub(vs).mul(slg.scale()));
            }
            return v;
        };
    }
}
