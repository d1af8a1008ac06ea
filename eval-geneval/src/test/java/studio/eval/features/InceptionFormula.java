package studio.eval.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import studio.core.device.Precision;
import studio.core.safetensors.SafeTensorsWriter;
import studio.diffusion.nn.Params;
import studio.eval.features.inception.FidInceptionV3;

/**
 * The Inception fixture weights as a formula (tools/reference/features_reference.py documents it; 22M parameters are
 * too many to commit): per key K and element i, u = splitmix64(FNV-1a-64(K) + (i+1)·golden) >>> 40, / 2^24, then a
 * per-kind affine map in double, cast to float. Integer arithmetic and one IEEE multiply: bit-identical to numpy.
 */
final class InceptionFormula {
    private InceptionFormula() {}

    static long fnv1a64(String key) {
        long h = 0xCBF29CE484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }

    /** u in [0, 1) for element {@code i} (0-based) of tensor {@code key}. */
    static double uniform(long seed, long i) {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 40) / (double) (1 << 24);
    }

    static float[] values(String key, long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        long seed = fnv1a64(key);
        float[] out = new float[(int) n];
        double bound = 0;
        if (key.endsWith("conv.weight")) {
            bound = Math.sqrt(6.0 / (n / shape[0]));
        }
        for (int i = 0; i < n; i++) {
            double u = uniform(seed, i);
            double v;
            if (key.endsWith("conv.weight")) {
                v = (2 * u - 1) * bound;
            } else if (key.endsWith("bn.weight") || key.endsWith("bn.running_var")) {
                v = 0.5 + u;
            } else if (key.endsWith("bn.bias") || key.endsWith("bn.running_mean")) {
                v = 0.2 * (2 * u - 1);
            } else if (key.startsWith("fc.")) {
                v = (2 * u - 1) * 0.01;
            } else {
                throw new IllegalArgumentException(key);
            }
            out[i] = (float) v;
        }
        return out;
    }

    /** Every key the model reads, with its shape, in construction order. */
    static Map<String, long[]> keys() {
        Map<String, long[]> keys = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            FidInceptionV3.of(recording(m, keys, ""));
        }
        return keys;
    }

    private static Params recording(NDManager m, Map<String, long[]> keys, String prefix) {
        return new Params() {
            @Override public Params pp(String name) {
                return recording(m, keys, prefix.isEmpty() ? name : prefix + "." + name);
            }

            @Override public String prefix() {
                return prefix;
            }

            @Override public NDArray get(String name, long... shape) {
                keys.put(prefix.isEmpty() ? name : prefix + "." + name, shape.clone());
                return m.zeros(new Shape(1)); // the recorded model is never run
            }

            @Override public Precision precision() {
                return Precision.F32;
            }

            @Override public NDManager manager() {
                return m;
            }
        };
    }

    /** The formula weights as pytorch-fid's state dict would be saved: every model key plus the unused fc head. */
    static void write(Path file, Map<String, long[]> keys, boolean withFc) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter();
        keys.forEach((k, shape) -> w.addF32(k, shape, values(k, shape)));
        if (withFc) {
            w.addF32("fc.weight", new long[] {1008, 2048}, values("fc.weight", new long[] {1008, 2048}));
            w.addF32("fc.bias", new long[] {1008}, values("fc.bias", new long[] {1008}));
        }
        w.write(file);
    }
}
