package studio.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.core.safetensors.SafeTensors;
import studio.core.safetensors.SafeTensorsWriter;

/**
 * An exponential moving average of parameters, {@code e ← decay·e + (1 − decay)·p} after each update
 * (diffusers' EMAModel without warmup; SimpleTuner / OneTrainer / ai-toolkit offer it, ANCHORS.md §1.6).
 * The shadow copies are fp32 in this object's own manager, freed by {@link #close}.
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

    /** One EMA update from the current parameters (grad mode off). */
    public void update() {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray s = shadow.get(e.getKey());
            try (NDArray d = e.getValue().sub(s)) {
                s.addi(d.muli((float) (1 - decay)));
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
