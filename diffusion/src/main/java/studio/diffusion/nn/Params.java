package studio.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import studio.core.device.Precision;
import studio.core.ops.Kernels;
import studio.core.weights.Weights;

/**
 * Where model parts take their tensors from, by checkpoint key: a checkpoint ({@link #of(Weights)},
 * strict, with the load report) or random values ({@link #random}, for benchmarks without a checkpoint).
 * Model constructors only call {@code pp} and {@code get}, so both build the same model.
 */
public interface Params {

    /** The view under {@code name}: {@code pp("a").get("b")} reads key {@code a.b}. */
    Params pp(String name);

    default Params pp(String name, int index) {
        return pp(name + "." + index);
    }

    /** The key prefix of this view ("" at the root). */
    String prefix();

    /** The tensor {@code name} with shape {@code shape}, in {@link #precision()}. */
    NDArray get(String name, long... shape);

    Precision precision();

    NDManager manager();

    /** Whether a checkpoint holds {@code name} under this view (variants detected by key); random params hold none. */
    default boolean contains(String name) {
        return false;
    }

    /** The stored shape of {@code name}, or null when absent or not from a checkpoint. */
    default long[] storedShape(String name) {
        return null;
    }

    /** A checkpoint: the strict {@link Weights} view. */
    static Params of(Weights w) {
        return new Params() {
            @Override public Params pp(String name) {
                return of(w.pp(name));
            }

            @Override public String prefix() {
                return w.prefix();
            }

            @Override public NDArray get(String name, long... shape) {
                return w.get(name, shape);
            }

            @Override public boolean contains(String name) {
                return w.contains(name);
            }

            @Override public long[] storedShape(String name) {
                return w.storedShape(name);
            }

            @Override public Precision precision() {
                return w.precision();
            }

            @Override public NDManager manager() {
                return w.manager();
            }
        };
    }

    /** Random N(0, std²) tensors (norm weights too), for speed measurements only. */
    static Params random(NDManager manager, Precision precision, float std, String prefix) {
        return new Params() {
            @Override public Params pp(String name) {
                return random(manager, precision, std, prefix.isEmpty() ? name : prefix + "." + name);
            }

            @Override public String prefix() {
                return prefix;
            }

            @Override public NDArray get(String name, long... shape) {
                NDArray x = manager.randomNormal(0f, std, new Shape(shape), DataType.FLOAT32);
                if (precision == Precision.F32) {
                    return x;
                }
                try (x) {
                    return Kernels.of(x).cast(x, precision);
                }
            }

            @Override public Precision precision() {
                return precision;
            }

            @Override public NDManager manager() {
                return manager;
            }
        };
    }
}
