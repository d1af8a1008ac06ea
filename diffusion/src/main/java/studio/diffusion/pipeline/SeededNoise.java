package studio.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Standard-normal noise from a seed, generated on the host by a fully specified algorithm so that a seed
 * gives the same noise on every machine, JVM and device: SplitMix64 (Steele, Lea, Flood 2014; constants
 * below) for uniform doubles in (0, 1], Box–Muller with {@link StrictMath} for the normals, float32.
 * Sample i of a batch uses seed + i, so image i of a batch equals a single image generated with seed + i.
 *
 * <p>This is not torch's generator: a studio seed does not reproduce diffusers' {@code torch.Generator}
 * noise bit for bit (the parity fixtures therefore pass the initial noise in, see
 * tools/reference/pipeline_reference.py). Seeds are reproducible within the studio.
 */
public final class SeededNoise {
    private SeededNoise() {}

    /** [batch, ...sampleShape] noise in {@code manager}, fp32; sample i from seed + i. */
    public static NDArray gaussian(NDManager manager, long seed, int batch, long... sampleShape) {
        long perSample = new Shape(sampleShape).size();
        float[] values = new float[Math.toIntExact(perSample * batch)];
        for (int i = 0; i < batch; i++) {
            fill(seed + i, values, (int) (i * perSample), (int) perSample);
        }
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = batch;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return manager.create(values, new Shape(shape));
    }

    /** Fills values[from, from + n) with N(0, 1) draws of the stream {@code seed}. */
    static void fill(long seed, float[] values, int from, int n) {
        long state = seed;
        for (int j = 0; j < n; j += 2) {
            state += 0x9E3779B97F4A7C15L;
            double u1 = uniform(state);
            state += 0x9E3779B97F4A7C15L;
            double u2 = uniform(state);
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double angle = 2.0 * StrictMath.PI * u2;
            values[from + j] = (float) (r * StrictMath.cos(angle));
            if (j + 1 < n) {
                values[from + j + 1] = (float) (r * StrictMath.sin(angle));
            }
        }
    }

    /** SplitMix64's output function of a state, as a double in (0, 1] (never 0, so log is finite). */
    private static double uniform(long state) {
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return ((z >>> 11) + 1) * 0x1.0p-53;
    }
}
