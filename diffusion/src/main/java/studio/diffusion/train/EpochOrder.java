package studio.diffusion.train;

import studio.core.train.Rng;

/**
 * Batches drawn in order from a per-epoch permutation of the dataset, a fixed function of seed and epoch, so a
 * checkpoint needs only the position ({@link #epoch}, {@link #batchInEpoch}) to resume it exactly; the tail shorter
 * than a batch is dropped. The VAE's and the contrastive towers' data order.
 */
final class EpochOrder {
    private final long seed;
    private int epoch;
    private int batchInEpoch;

    EpochOrder(long seed, int epoch, int batchInEpoch) {
        this.seed = seed;
        this.epoch = epoch;
        this.batchInEpoch = batchInEpoch;
    }

    /** The next {@code per} indices below {@code n} (per ≤ n). */
    int[] next(int n, int per) {
        if ((batchInEpoch + 1) * per > n) {
            epoch++;
            batchInEpoch = 0;
        }
        int[] order = Rng.of(seed, 100 + epoch).permutation(n);
        int[] idx = new int[per];
        System.arraycopy(order, batchInEpoch * per, idx, 0, per);
        batchInEpoch++;
        return idx;
    }

    int epoch() {
        return epoch;
    }

    int batchInEpoch() {
        return batchInEpoch;
    }
}
