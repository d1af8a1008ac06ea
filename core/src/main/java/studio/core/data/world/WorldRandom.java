package studio.core.data.world;

import java.util.List;

/**
 * SplitMix64, written out so the world's bytes never depend on a JDK's random classes
 * (WORLD.md: "(seed, index) → the same bytes, on every machine"). Each (seed, index, stream) gets its
 * own generator, so images are independent of each other and of how many are generated.
 */
public final class WorldRandom {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    private WorldRandom(long state) {
        this.state = state;
    }

    /** The generator for one image and one purpose ({@code stream}: scene, caption wording, ...). */
    public static WorldRandom of(long seed, long index, long stream) {
        return new WorldRandom(mix(mix(mix(seed) ^ index * GOLDEN) ^ stream * 0xD1B54A32D192ED03L));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) ((nextLong() >>> 1) % bound);
    }

    /** Uniform in [low, high]. */
    public int between(int low, int high) {
        return low + nextInt(high - low + 1);
    }

    public double uniform(double low, double high) {
        return low + (high - low) * nextDouble();
    }

    public boolean nextBoolean() {
        return nextLong() < 0;
    }

    public boolean chance(double p) {
        return nextDouble() < p;
    }

    public <T> T pick(List<T> options) {
        return options.get(nextInt(options.size()));
    }

    @SafeVarargs
    public final <T> T pick(T... options) {
        return options[nextInt(options.length)];
    }
}
