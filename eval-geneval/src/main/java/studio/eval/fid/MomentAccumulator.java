package studio.eval.fid;

import java.util.stream.IntStream;

/**
 * Streaming mean and covariance in double precision, so a feature set never has to be held in memory.
 * Samples are gathered in blocks of {@value #BLOCK}; each block is centred on its own mean and merged into
 * the running moments by the pairwise update of Chan, Golub and LeVeque (1979):
 * {@code M2 += Xcᵀ Xc + (n_a n_b / n) δ δᵀ} with {@code δ = mean_b − mean_a}. Like Welford's per-sample
 * update it never forms {@code Σx xᵀ − N μ μᵀ}, so large offsets do not cancel, and a constant feature keeps
 * a variance of exactly zero. Cost: dim²/2 multiply-adds per sample (about 2·10⁹ for 1,000 Inception
 * features of dim 2048), but the dim × dim matrix is swept once per block instead of once per sample, one
 * row at a time against the block held in cache, on all cores.
 */
public final class MomentAccumulator {
    static final int BLOCK = 32;
    private final int dim;
    private final double[] mean;
    private final double[][] m2; // upper triangle (j >= i) of Σ (x − mean)(x − mean)ᵀ
    private final double[][] block = new double[BLOCK + 1][]; // BLOCK samples, then the merge row √(n_a n_b / n) δ
    private final double[] blockMean;
    private int pending;
    private long merged;

    public MomentAccumulator(int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        this.dim = dim;
        this.mean = new double[dim];
        this.m2 = new double[dim][];
        for (int i = 0; i < dim; i++) {
            m2[i] = new double[dim];
        }
        for (int s = 0; s <= BLOCK; s++) {
            block[s] = new double[dim];
        }
        this.blockMean = new double[dim];
    }

    public int dim() {
        return dim;
    }

    public long count() {
        return merged + pending;
    }

    /** Adds the sample {@code values[offset .. offset+dim)}. */
    public void add(float[] values, int offset) {
        double[] row = block[pending];
        for (int i = 0; i < dim; i++) {
            row[i] = values[offset + i];
        }
        if (++pending == BLOCK) {
            flush();
        }
    }

    /** Adds the sample {@code values[offset .. offset+dim)}. */
    public void add(double[] values, int offset) {
        System.arraycopy(values, offset, block[pending], 0, dim);
        if (++pending == BLOCK) {
            flush();
        }
    }

    /** Merges the pending block into the running mean and M2. */
    private void flush() {
        int nb = pending;
        if (nb == 0) {
            return;
        }
        java.util.Arrays.fill(blockMean, 0);
        for (int s = 0; s < nb; s++) {
            double[] x = block[s];
            for (int j = 0; j < dim; j++) {
                blockMean[j] += x[j];
            }
        }
        for (int j = 0; j < dim; j++) {
            blockMean[j] /= nb;
        }
        for (int s = 0; s < nb; s++) {
            double[] x = block[s];
            for (int j = 0; j < dim; j++) {
                x[j] -= blockMean[j];
            }
        }
        int rows = nb;
        long total = merged + nb;
        if (merged == 0) {
            System.arraycopy(blockMean, 0, mean, 0, dim);
        } else {
            double[] mergeRow = block[nb];
            double root = Math.sqrt((double) merged * nb / total);
            double share = (double) nb / total;
            for (int j = 0; j < dim; j++) {
                double delta = blockMean[j] - mean[j];
                mergeRow[j] = root * delta;
                mean[j] += delta * share;
            }
            rows++;
        }
        IntStream is = IntStream.range(0, dim);
        if ((long) dim * dim * rows >= 1 << 22) {
            is = is.parallel();
        }
        final int r = rows;
        is.forEach(i -> updateRow(i, r));
        merged = total;
        pending = 0;
    }

    private void updateRow(int i, int rows) {
        double[] row = m2[i];
        for (int s = 0; s < rows; s++) {
            double[] x = block[s];
            double b = x[i];
            if (b == 0) {
                continue;
            }
            for (int j = i; j < dim; j++) {
                row[j] += b * x[j];
            }
        }
    }

    /** Mean and unbiased covariance so far; needs at least two samples. */
    public GaussianStats stats() {
        if (count() < 2) {
            throw new IllegalStateException("need at least 2 samples for a covariance, have " + count());
        }
        flush();
        double[][] cov = new double[dim][dim];
        for (int i = 0; i < dim; i++) {
            for (int j = i; j < dim; j++) {
                double c = m2[i][j] / (merged - 1);
                cov[i][j] = c;
                cov[j][i] = c;
            }
        }
        return new GaussianStats(merged, mean.clone(), cov);
    }
}
