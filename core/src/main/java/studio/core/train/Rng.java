package studio.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * A seeded random stream whose whole state can be saved and restored exactly (for resume), unlike
 * {@link java.util.SplittableRandom}: xoshiro256** (Blackman &amp; Vigna, 2018) seeded by SplitMix64.
 * Noise tensors are drawn here on the CPU in Java and copied to the device, so they are the same on
 * every run and after a resume, whatever the engine's own generator did in between.
 */
public final class Rng {
    private final long[] s = new long[4];

    /** A stream for {@code seed}; the four state words come from SplitMix64, as the xoshiro authors advise. */
    public Rng(long seed) {
        long x = seed;
        for (int i = 0; i < 4; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            s[i] = z ^ (z >>> 31);
        }
    }

    /** A stream for (seed, stream): independent substreams of one run seed (data order, noise, ...). */
    public static Rng of(long seed, long stream) {
        return new Rng(seed * 0x9E3779B97F4A7C15L + stream * 0xD1B54A32D192ED03L + stream);
    }

    /** The stream with exactly this state (from {@link #state()}). */
    public static Rng restore(long[] state) {
        if (state.length != 4 || (state[0] | state[1] | state[2] | state[3]) == 0) {
            throw new IllegalArgumentException("an Rng state is 4 words, not all zero: " + Arrays.toString(state));
        }
        Rng r = new Rng(0);
        System.arraycopy(state, 0, r.s, 0, 4);
        return r;
    }

    /** A copy of the four state words. */
    public long[] state() {
        return s.clone();
    }

    /** The next 64 random bits (xoshiro256**). */
    public long nextLong() {
        long result = Long.rotateLeft(s[1] * 5, 7) * 9;
        long t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = Long.rotateLeft(s[3], 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound), unbiased (java.util.Random's rejection on 31 random bits). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        int bits;
        int val;
        do {
            bits = (int) (nextLong() >>> 33);
            val = bits % bound;
        } while (bits - val + (bound - 1) < 0);
        return val;
    }

    /** A standard normal draw by Box–Muller from two uniforms (no cached second value: the state stays 4 words). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** {@code n} standard normal floats. */
    public float[] gaussians(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) nextGaussian();
        }
        return out;
    }

    /** A standard normal fp32 tensor of {@code shape}, drawn here (CPU, deterministic) and created in {@code manager}. */
    public NDArray normal(NDManager manager, Shape shape) {
        return manager.create(gaussians(Math.toIntExact(shape.size())), shape);
    }

    /** Fisher–Yates shuffle of {@code 0..n-1}. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
