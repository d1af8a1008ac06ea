package studio.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import java.util.Locale;
import studio.core.BadInputException;

/**
 * Rectified flow as SD3 uses it, one class in front of both the samplers and the trainer (STYLE.md
 * lesson 6): FlowMatchEulerDiscreteScheduler's shifted sigmas (SD3.md §2.2), the noising
 * {@code (1−σ)x₀ + σε} and velocity target (§2.3), and the training-time density, loss weighting and
 * {@code precondition_outputs} of diffusers' SD3 trainer (§2.6).
 *
 * @param shift s of S(σ) = s·σ / (1 + (s − 1)·σ); 3.0 for SD3 (scheduler_config.json)
 * @param trainTimesteps num_train_timesteps, 1000
 */
public record RectifiedFlow(double shift, int trainTimesteps) {

    public static final RectifiedFlow SD3 = new RectifiedFlow(3.0, 1000);

    /** Timestep sampling density and loss weighting, by diffusers' {@code --weighting_scheme} name. */
    public enum Weighting {
        LOGIT_NORMAL, MODE, SIGMA_SQRT, COSMAP, NONE;

        public static Weighting parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("weighting_scheme", "unknown '" + name
                        + "', expected logit_normal, mode, sigma_sqrt, cosmap or none");
            }
        }
    }

    /** S(σ) in float32 arithmetic, as the scheduler computes its table. */
    public float timeShift(float sigma) {
        float s = (float) shift;
        return s * sigma / (1f + (s - 1f) * sigma);
    }

    /** The training table, descending: σ_j = S((N − j)/N), j = 0..N−1 (σ_0 = 1, σ_999 = S(0.001)). */
    public float[] trainingSigmas() {
        float[] sig = new float[trainTimesteps];
        for (int j = 0; j < trainTimesteps; j++) {
            sig[j] = timeShift((float) (trainTimesteps - j) / trainTimesteps);
        }
        return sig;
    }

    /**
     * Inference sigmas for {@code steps} steps (set_timesteps): linspace(σ_max·N, σ_min·N, steps)/N, shifted
     * again (so the last is S(S(0.001)) = 0.0089286), then a terminal 0 → steps + 1 values.
     */
    public float[] sigmas(int steps) {
        if (steps < 1) {
            throw new BadInputException("--steps", "must be at least 1, got " + steps);
        }
        float[] table = trainingSigmas();
        double start = (double) table[0] * trainTimesteps;
        double stop = (double) table[trainTimesteps - 1] * trainTimesteps;
        float[] out = new float[steps + 1];
        for (int i = 0; i < steps; i++) {
            double u = steps == 1 ? start : (i == steps - 1 ? stop : start + (stop - start) / (steps - 1) * i);
            double s = u / trainTimesteps;
            out[i] = (float) (shift * s / (1 + (shift - 1) * s));
        }
        out[steps] = 0f;
        return out;
    }

    /** The transformer's timestep for σ: σ·1000 as a float, not rounded (SD3.md §7.7). */
    public float timestep(float sigma) {
        return (float) ((double) sigma * trainTimesteps);
    }

    /** x_σ = (1 − σ)·x₀ + σ·ε; sigma broadcastable to x0 (e.g. [B, 1, 1, 1]). */
    public static NDArray noise(NDArray x0, NDArray eps, NDArray sigma) {
        return x0.sub(x0.mul(sigma)).add(eps.mul(sigma));
    }

    /** Logit-normal density: u = sigmoid(mean + std·n) for a standard normal draw n. */
    public static double uLogitNormal(double n, double mean, double std) {
        return 1.0 / (1.0 + Math.exp(-(mean + std * n)));
    }

    /** Mode density (mode_scale 1.29 by default): u = 1 − u₀ − s·(cos²(π·u₀/2) − 1 + u₀), u₀ uniform. */
    public static double uMode(double u0, double modeScale) {
        double c = Math.cos(Math.PI * u0 / 2);
        return 1 - u0 - modeScale * (c * c - 1 + u0);
    }

    /** The table index for u ∈ [0, 1): floor(u·N), clamped to the table. */
    public int index(double u) {
        return Math.min(trainTimesteps - 1, Math.max(0, (int) Math.floor(u * trainTimesteps)));
    }

    /** compute_loss_weighting_for_sd3: sigma_sqrt → σ⁻², cosmap → 2/(π(1 − 2σ + 2σ²)), otherwise 1. */
    public static double weight(Weighting w, double sigma) {
        switch (w) {
            case SIGMA_SQRT: return 1.0 / (sigma * sigma);
            case COSMAP: return 2.0 / (Math.PI * (1 - 2 * sigma + 2 * sigma * sigma));
            default: return 1.0;
        }
    }

    /**
     * The SD3 training loss for a batch: model output v at x_σ; with {@code precondition} the prediction
     * is x̂₀ = −σ·v + x_σ against x₀, otherwise v against ε − x₀; mean over samples of
     * mean_{C,H,W}(w·(pred − target)²). sigma and weight are [B, 1, 1, 1]; all fp32 → scalar.
     */
    public static NDArray loss(NDArray v, NDArray x0, NDArray eps, NDArray xs, NDArray sigma, NDArray weight,
                               boolean precondition) {
        NDArray pred = precondition ? xs.sub(v.mul(sigma)) : v;
        NDArray target = precondition ? x0 : eps.sub(x0);
        NDArray err = pred.sub(target);
        return err.mul(err).mul(weight).mean();
    }
}
