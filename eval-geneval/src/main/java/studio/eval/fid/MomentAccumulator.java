package studio.eval.fid;

/**
 * Streaming mean and covariance in double precision by Welford's update (Welford 1962; the covariance form
 * {@code C += (x − mean_old)(x − mean_new)ᵀ}), so a feature set never has to be held in memory and large
 * offsets do not cancel as they do in the one-pass {@code Σx xᵀ − N μ μᵀ} form. Cost: dim²/2 multiply-adds
 * per sample (about 2·10⁹ for 1,000 Inception features of dim 2048).
 */
public final class MomentAccumulator {
    private final int dim;
    private final double[] mean;
    private final double[][] m2; // upper triangle (j >= i) of Σ (x − mean)(x − mean)ᵀ
    private final double[] before;
    private final double[] after;
    private long count;

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
        this.before = new double[dim];
        this.after = new double[dim];
    }

    public int dim() {
        return dim;
    }

    public long count() {
        return count;
    }

    /** Adds the sample {@code values[offset .. offset+dim)}. */
    public void add(float[] values, int offset) {
        count++;
        for (int i = 0; i < dim; i++) {
            double x = values[offset + i];
            before[i] = x - mean[i];
            mean[i] += before[i] / count;
            after[i] = x - mean[i];
        }
        update();
    }

    /** Adds the sample {@code values[offset .. offset+dim)}. */
    public void add(double[] values, int offset) {
        count++;
        for (int i = 0; i < dim; i++) {
            double x = values[offset + i];
            before[i] = x - mean[i];
            mean[i] += before[i] / count;
            after[i] = x - mean[i];
        }
        update();
    }

    private void update() {
        for (int i = 0; i < dim; i++) {
            double b = before[i];
            if (b == 0) {
                continue;
            }
            double[] row = m2[i];
            for (int j = i; j < dim; j++) {
                row[j] += b * after[j];
            }
        }
    }

    /** Mean and unbiased covariance so far; needs at least two samples. */
    public GaussianStats stats() {
        if (count < 2) {
            throw new IllegalStateException("need at least 2 samples for a covariance, have " + count);
        }
        double[][] cov = new double[dim][dim];
        for (int i = 0; i < dim; i++) {
            for (int j = i; j < dim; j++) {
                double c = m2[i][j] / (count - 1);
                cov[i][j] = c;
                cov[j][i] = c;
            }
        }
        return new GaussianStats(count, mean.clone(), cov);
    }
}
