package studio.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.core.BadInputException;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;

/**
 * AdamW with PyTorch's semantics (torch.optim.AdamW, {@code _single_tensor_adamw}, amsgrad off), not
 * DJL's (STYLE.md (c) 7): decoupled weight decay {@code p ← p·(1 − lr·wd)}, then
 * {@code m ← β₁m + (1−β₁)g}, {@code v ← β₂v + (1−β₂)g²},
 * {@code p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)}. Moments are fp32 in this optimizer's own
 * manager, freed by {@link #close} at the end of the job (not by the GC). Parameters must be fp32 and
 * are updated in place; call {@link #step} with grad mode off.
 */
public final class AdamW implements AutoCloseable {

    /** Hyper-parameters; PyTorch's defaults are (0.9, 0.999, 1e-8, 0.01), diffusers' SD3 script uses wd 1e-4. */
    public record Hyper(double beta1, double beta2, double eps, double weightDecay) {
        public Hyper {
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0)) {
                throw new BadInputException("optimizer", "needs 0 <= beta1, beta2 < 1, eps > 0, weight_decay >= 0; got "
                        + beta1 + ", " + beta2 + ", " + eps + ", " + weightDecay);
            }
        }
    }

    private final Hyper hyper;
    private final Map<String, NDArray> params;
    private final NDManager manager;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private long steps;

    /** An optimizer over {@code params} (by stable name, used for the saved state), moments zero. */
    public AdamW(Map<String, NDArray> params, Hyper hyper) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("AdamW needs at least one parameter");
        }
        this.hyper = hyper;
        this.params = new LinkedHashMap<>(params);
        NDArray first = params.values().iterator().next();
        this.manager = NDManager.newBaseManager(first.getDevice());
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            expAvg.put(e.getKey(), manager.zeros(e.getValue().getShape()));
            expAvgSq.put(e.getKey(), manager.zeros(e.getValue().getShape()));
        }
    }

    public Hyper hyper() {
        return hyper;
    }

    /** Updates taken so far (PyTorch's per-parameter {@code step}, equal for all parameters here). */
    public long steps() {
        return steps;
    }

    /** One update with rate {@code lr}; {@code grads} has a gradient per parameter name (absent = zero). */
    public void step(Map<String, NDArray> grads, double lr) {
        steps++;
        double bc1 = 1 - Math.pow(hyper.beta1, steps);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(hyper.beta2, steps));
        float decay = (float) (1 - lr * hyper.weightDecay);
        float negStepSize = (float) -(lr / bc1);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray g = grads.get(e.getKey());
            NDArray p = e.getValue();
            NDArray m = expAvg.get(e.getKey());
            NDArray v = expAvgSq.get(e.getKey());
            try (NDManager tmp = manager.newSubManager()) {
                NDArray grad = g != null ? g : tmp.zeros(p.getShape());
                p.muli(decay);
                m.muli((float) hyper.beta1).addi(tmpOf(grad.mul((float) (1 - hyper.beta1)), tmp));
                v.muli((float) hyper.beta2).addi(tmpOf(grad.mul((float) (1 - hyper.beta2)).mul(grad), tmp));
                NDArray denom = tmpOf(v.sqrt(), tmp).divi((float) bc2Sqrt).addi((float) hyper.eps);
                p.addi(tmpOf(m.mul(negStepSize), tmp).divi(denom));
            }
        }
    }

    private static NDArray tmpOf(NDArray x, NDManager tmp) {
        x.attach(tmp);
        return x;
    }

    /** The moments and step as safetensors entries ({@code exp_avg.<name>}, {@code exp_avg_sq.<name>}, fp32). */
    public void save(SafeTensorsWriter w) {
        for (String name : params.keySet()) {
            NDArray m = expAvg.get(name);
            w.addF32("exp_avg." + name, m.getShape().getShape(), m.toFloatArray());
            w.addF32("exp_avg_sq." + name, m.getShape().getShape(), expAvgSq.get(name).toFloatArray());
        }
        w.metadata("adamw.steps", Long.toString(steps));
    }

    /** Restores what {@link #save} wrote; every parameter must be there with its shape. */
    public void load(SafeTensors st) throws IOException {
        String stored = st.metadata().get("adamw.steps");
        if (stored == null) {
            throw new BadInputException(st.source().toString(), "not an AdamW state (no adamw.steps)");
        }
        for (String name : params.keySet()) {
            copyInto(st, "exp_avg." + name, expAvg.get(name));
            copyInto(st, "exp_avg_sq." + name, expAvgSq.get(name));
        }
        steps = Long.parseLong(stored);
    }

    /** Overwrites {@code target} (fp32) with tensor {@code key} of {@code st}, checking the shape. */
    public static void copyInto(SafeTensors st, String key, NDArray target) {
        if (!st.contains(key)) {
            throw new BadInputException(st.source().toString(), "has no tensor '" + key + "'");
        }
        long[] shape = st.info(key).shape();
        if (!java.util.Arrays.equals(shape, target.getShape().getShape())) {
            throw new BadInputException(st.source().toString(), key + " has shape " + java.util.Arrays.toString(shape)
                    + ", expected " + target.getShape());
        }
        try (NDArray src = target.getManager().create(st.readFloats(key), target.getShape())) {
            src.copyTo(target);
        }
    }

    /** Frees the moments. */
    @Override
    public void close() {
        manager.close();
    }
}
