package studio.eval.fid;

/**
 * Mean and unbiased covariance (divisor N−1, as {@code np.cov(act, rowvar=False)}) of a feature set, in
 * double precision. {@code cov} is a full symmetric {@code dim × dim} matrix.
 */
public record GaussianStats(long count, double[] mean, double[][] cov) {
    public GaussianStats {
        if (count < 2) {
            throw new IllegalArgumentException("need at least 2 samples for a covariance, got " + count);
        }
        if (cov.length != mean.length) {
            throw new IllegalArgumentException("mean has " + mean.length + " entries but cov has " + cov.length + " rows");
        }
    }

    public int dim() {
        return mean.length;
    }

    public double trace() {
        double t = 0;
        for (int i = 0; i < cov.length; i++) {
            t += cov[i][i];
        }
        return t;
    }

    /** Features whose variance is exactly zero (constant over the set, e.g. a dead ReLU channel). */
    public boolean[] constantFeatures() {
        boolean[] constant = new boolean[cov.length];
        for (int i = 0; i < cov.length; i++) {
            constant[i] = cov[i][i] == 0;
        }
        return constant;
    }

    /** The statistics of the rows of a {@code [rows, cols]} row-major matrix. */
    public static GaussianStats of(int rows, int cols, float[] values) {
        MomentAccumulator acc = new MomentAccumulator(cols);
        for (int r = 0; r < rows; r++) {
            acc.add(values, r * cols);
        }
        return acc.stats();
    }
}
