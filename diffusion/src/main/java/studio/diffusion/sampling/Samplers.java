package studio.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Samplers over rectified-flow sigmas, as small pure functions with one signature (k-diffusion's
 * {@code sample_euler(model, x, sigmas, callback)}, STYLE.md lesson 5). x is fp32 [B, C, H, W]; the
 * model returns the velocity v ≈ ε − x₀ and x̂₀ = x − σ·v (SD3.md §2.3). Each step runs in its own
 * sub-manager (STYLE.md pitfall 2): only the new x (and DPM++'s previous x̂₀) survive a step. The input
 * x is not closed; the result lives in x's manager.
 */
public final class Samplers {
    private Samplers() {}

    /** The model: velocity at (x, σ) for step i (i lets guidance switch on per step). */
    @FunctionalInterface
    public interface Denoiser {
        NDArray velocity(NDArray x, float sigma, int step);
    }

    /** What a step reports; x is the state after the step. Arrays are valid during the callback only. */
    public record Step(int i, int steps, float sigma, float sigmaNext, NDArray x, NDArray denoised) {}

    @FunctionalInterface
    public interface StepCallback {
        void onStep(Step step);

        StepCallback NONE = s -> { };
    }

    /** A sampler by name: euler, heun, dpmpp_2m. */
    @FunctionalInterface
    public interface Sampler {
        NDArray sample(Denoiser model, NDArray x, float[] sigmas, StepCallback callback);
    }

    public static Sampler byName(String name) {
        switch (name) {
            case "euler": return Samplers::euler;
            case "heun": return Samplers::heun;
            case "dpmpp_2m": case "dpm++2m": return Samplers::dpmpp2m;
            default:
                throw new studio.core.BadInputException("--sampler", "unknown '" + name + "', expected euler, heun or dpmpp_2m");
        }
    }

    /** Euler: x ← x + (σ_{i+1} − σ_i)·v, in fp32 (SD3.md §2.4; diffusers' FlowMatchEulerDiscreteScheduler). */
    public static NDArray euler(Denoiser model, NDArray x, float[] sigmas, StepCallback callback) {
        NDManager out = x.getManager();
        NDArray cur = x;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (NDManager scope = out.newSubManager()) {
                NDArray xi = inScope(cur, scope);
                float s = sigmas[i];
                float sn = sigmas[i + 1];
                NDArray v = model.velocity(xi, s, i);
                NDArray next = xi.add(v.mul(sn - s));
                callback.onStep(new Step(i, sigmas.length - 1, s, sn, next, xi.sub(v.mul(s))));
                cur = keep(next, out, cur, x);
            }
        }
        return cur;
    }

    /** Heun (k-diffusion sample_heun, s_churn 0): trapezoid of v at σ_i and at the Euler guess; Euler into σ = 0. */
    public static NDArray heun(Denoiser model, NDArray x, float[] sigmas, StepCallback callback) {
        NDManager out = x.getManager();
        NDArray cur = x;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (NDManager scope = out.newSubManager()) {
                NDArray xi = inScope(cur, scope);
                float s = sigmas[i];
                float sn = sigmas[i + 1];
                NDArray d = model.velocity(xi, s, i);
                NDArray next = xi.add(d.mul(sn - s));
                if (sn != 0f) {
                    NDArray d2 = model.velocity(next, sn, i);
                    next = xi.add(d.add(d2).mul((sn - s) / 2.0f));
                }
                callback.onStep(new Step(i, sigmas.length - 1, s, sn, next, xi.sub(d.mul(s))));
                cur = keep(next, out, cur, x);
            }
        }
        return cur;
    }

    /**
     * DPM-Solver++(2M) as SAI's sd3_impls / k-diffusion apply it to a flow model (x̂₀ = x − σ·v,
     * t = −log σ, h = t_{i+1} − t_i): first order on the first and the last step (σ_{i+1} = 0), else
     * x ← (σ_{i+1}/σ_i)·x − expm1(−h)·((1 + 1/2r)·x̂₀ − (1/2r)·x̂₀_prev), r = h_prev/h. The first-order
     * step equals the Euler step.
     */
    public static NDArray dpmpp2m(Denoiser model, NDArray x, float[] sigmas, StepCallback callback) {
        NDManager out = x.getManager();
        NDArray cur = x;
        NDArray old = null;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (NDManager scope = out.newSubManager()) {
                NDArray xi = inScope(cur, scope);
                if (old != null) {
                    inScope(old, scope); // so old.mul(..) lands in the scope, not in out
                }
                double s = sigmas[i];
                double sn = sigmas[i + 1];
                NDArray den = xi.sub(model.velocity(xi, (float) s, i).mul((float) s));
                NDArray next;
                if (old == null || sn == 0) {
                    next = xi.mul((float) (sn / s)).add(den.mul((float) (1 - sn / s)));
                } else {
                    double h = Math.log(s) - Math.log(sn);
                    double r = (Math.log(sigmas[i - 1]) - Math.log(s)) / h;
                    NDArray dd = den.mul((float) (1 + 1 / (2 * r))).sub(old.mul((float) (1 / (2 * r))));
                    next = xi.mul((float) (sn / s)).sub(dd.mul((float) Math.expm1(-h)));
                }
                callback.onStep(new Step(i, sigmas.length - 1, (float) s, (float) sn, next, den));
                if (old != null) {
                    old.close();
                }
                den.attach(out);
                old = den;
                cur = keep(next, out, cur, x);
            }
        }
        if (old != null) {
            old.close();
        }
        return cur;
    }

    /** x moved into the step's scope for the step (results land in the first operand's manager). */
    private static NDArray inScope(NDArray cur, NDManager scope) {
        cur.tempAttach(scope);
        return cur;
    }

    /** Moves next out of the step scope and closes the previous state unless it is the caller's input. */
    private static NDArray keep(NDArray next, NDManager out, NDArray prev, NDArray input) {
        next.attach(out);
        if (prev != input) {
            prev.close();
        }
        return next;
    }
}
