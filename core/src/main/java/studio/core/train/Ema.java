package studio.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;

/**
 * An exponential moving average of parameters, {@code e ← d·e + (1 − d)·p} after each update, with diffusers'
 * {@code EMAModel.get_decay} schedule (its defaults: no {@code use_ema_warmup}, {@code update_after_step} 0):
 * update n (1-based) uses {@code d = 0} for n = 1 (the average starts at the first updated weights, not at the
 * initialisation) and {@code d = min(decay, (1 + s) / (10 + s))} with {@code s = n − 1} after. Without that cap a
 * short run keeps {@code decay^n} of its random initialisation in the average (0.999^1875 ≈ 15 %: the first
 * pancap-tiny pretraining's EMA weights were visibly noisier than its raw weights). SimpleTuner / OneTrainer /
 * ai-toolkit offer the same, ANCHORS.md §1.6. The shadow copies are fp32 in this object's own manager, freed by
 * {@link #close}.
 */
public final class Ema implements AutoCloseable {
    private final double decay;
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> shadow = new LinkedHashMap<>();
    private final NDManager manager;

    public Ema(Map<String, NDArray> params, double decay) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in (0, 1), got " + decay);
        }
        this.decay = decay;
        this.params = new LinkedHashMap<>(params);
        this.manager = NDManager.newBaseManager(params.values().iterator().next().getDevice());
        params.forEach((k, p) -> {
            NDArray s = p.duplicate();
            s.attach(manager);
            shadow.put(k, s);
        });
    }

    /** The decay diffusers' {@code EMAModel.get_decay} gives update number {@code optimizationStep} (1-based). */
    public static double decayAt(double decay, long optimizationStep) {
        long s = optimizationStep - 1;
        if (s <= 0) {
            return 0.0;
        }
        return Math.min(decay, (1.0 + s) / (10.0 + s));
    }

    /** One EMA update from the current parameters after optimizer update {@code optimizationStep} (1-based). */
    public void update(long optimizationStep) {
        float keep = (float) decayAt(decay, optimizationStep);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray s = shadow.get(e.getKey());
            try (NDArray d = e.getValue().sub(s)) {
                s.addi(d.muli(1 - keep));
            }
        }
    }

    /** The averaged parameters, by name (owned by this object). */
    public Map<String, NDArray> averaged() {
        return java.util.Collections.unmodifiableMap(shadow);
    }

    public void save(SafeTensorsWriter w) {
        shadow.forEach((k, s) -> w.addF32("ema." + k, s.getShape().getShape(), s.toFloatArray()));
    }

    public void load(SafeTensors st) {
        shadow.forEach((k, s) -> AdamW.copyInto(st, "ema." + k, s));
    }

    @Override
    public void close() {
        manager.close();
    }
}
