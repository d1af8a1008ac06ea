package studio.captioner.pancap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.core.device.Precision;
import studio.core.train.Rng;
import studio.core.weights.Weights;
import studio.diffusion.nn.Params;

/**
 * Every tensor of one model by checkpoint key, filled either from a checkpoint ({@link #load}, strict
 * through {@link Weights}) or by initialisation ({@link #init}); model parts only see the {@link Params}
 * view, so both build the same model, and the store then lists all parameters for AdamW and saving.
 *
 * <p>Initialisation (deterministic from the seed, drawn in Java by {@link Rng}): {@code *bias} zeros;
 * {@code *norm*.weight} ones (LayerNorm / GroupNorm identity); other {@code *weight} N(0, 1/fan_in)
 * (LeCun normal, fan_in = product of all but the first axis); tables (embeddings, queries, positions)
 * N(0, 0.02²) as GPT-2 / DETR's query embeddings.
 */
public final class ParamStore {
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Params root;

    private ParamStore(Params inner) {
        this.root = new Recording(inner, tensors);
    }

    /** The view a model is built from. */
    public Params params() {
        return root;
    }

    /** Every tensor handed out, by full key, in creation order. */
    public Map<String, NDArray> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public static ParamStore load(Weights w) {
        return new ParamStore(Params.of(w));
    }

    public static ParamStore init(NDManager manager, long seed) {
        return new ParamStore(new Init(manager, new Rng(seed), ""));
    }

    /** Records every tensor under its full key. */
    private record Recording(Params inner, Map<String, NDArray> record) implements Params {
        @Override public Params pp(String name) {
            return new Recording(inner.pp(name), record);
        }

        @Override public String prefix() {
            return inner.prefix();
        }

        @Override public NDArray get(String name, long... shape) {
            NDArray x = inner.get(name, shape);
            String key = prefix().isEmpty() ? name : prefix() + "." + name;
            if (record.put(key, x) != null) {
                throw new IllegalStateException("parameter " + key + " asked for twice");
            }
            return x;
        }

        @Override public Precision precision() {
            return inner.precision();
        }

        @Override public NDManager manager() {
            return inner.manager();
        }
    }

    /** Initial values by the naming rules of the class comment. */
    private record Init(NDManager manager, Rng rng, String prefix) implements Params {
        @Override public Params pp(String name) {
            return new Init(manager, rng, prefix.isEmpty() ? name : prefix + "." + name);
        }

        @Override public NDArray get(String name, long... shape) {
            String key = prefix.isEmpty() ? name : prefix + "." + name;
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            float[] v = new float[Math.toIntExact(n)];
            if (key.endsWith("bias")) {
                // zeros
            } else if (key.endsWith("weight") && key.contains("norm")) {
                java.util.Arrays.fill(v, 1f);
            } else {
                double std = key.endsWith("weight") ? 1 / Math.sqrt(n / shape[0]) : 0.02;
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (std * gaussian());
                }
            }
            return manager.create(v, new Shape(shape));
        }

        private double gaussian() {
            double u = Math.max(rng.nextDouble(), 1e-300);
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
        }

        @Override public Precision precision() {
            return Precision.F32;
        }
    }
}
