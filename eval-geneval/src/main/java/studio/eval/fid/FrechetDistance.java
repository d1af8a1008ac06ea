package studio.eval.fid;

import java.util.stream.IntStream;

/**
 * The Fréchet distance between two Gaussians fitted to feature sets (EVAL.md §2):
 * {@code d² = ||μ1 − μ2||² + tr Σ1 + tr Σ2 − 2 tr sqrt(Σ1 Σ2)}.
 *
 * <p>The trace of the square root uses the symmetric form (EVAL.md §2.3, "JAVA NOTE"): the eigenvalues of
 * Σ1Σ2 equal those of the symmetric PSD matrix {@code sqrt(Σ1) Σ2 sqrt(Σ1)}, so
 * {@code tr sqrt(Σ1 Σ2) = Σ sqrt(λᵢ)} over that matrix's eigenvalues, with tiny negative λ (rounding)
 * clamped to 0. Writing {@code Σ1 = V diag(w) Vᵀ}, the matrix is similar to
 * {@code diag(√w) (Vᵀ Σ2 V) diag(√w)}, which is what we decompose. Two symmetric eigen-decompositions and
 * two matrix products, all double; no complex arithmetic, hence no "imaginary component" failure
 * (pytorch-fid raises when scipy's result has |imag| > 1e-3 on the diagonal; clean-fid keeps the real part).
 */
public final class FrechetDistance {
    /** pytorch-fid's {@code eps} default. */
    public static final double DEFAULT_EPS = 1e-6;

    private FrechetDistance() {}

    public static FrechetResult compute(GaussianStats real, GaussianStats fake) {
        return compute(real, fake, EpsPolicy.PYTORCH_FID, DEFAULT_EPS);
    }

    public static FrechetResult compute(GaussianStats real, GaussianStats fake, EpsPolicy policy, double eps) {
        int dim = real.dim();
        if (fake.dim() != dim) {
            throw new IllegalArgumentException("feature dims differ: " + dim + " vs " + fake.dim());
        }
        double meanTerm = 0;
        for (int i = 0; i < dim; i++) {
            double diff = real.mean()[i] - fake.mean()[i];
            meanTerm += diff * diff;
        }
        boolean retry = switch (policy) {
            case ALWAYS -> true;
            case NEVER -> false;
            case PYTORCH_FID -> scipySqrtmWouldFail(real, fake);
        };
        double traceSqrt = retry ? traceSqrtOfProduct(withRidge(real.cov(), eps), withRidge(fake.cov(), eps))
                : traceSqrtOfProduct(real.cov(), fake.cov());
        double fd = meanTerm + real.trace() + fake.trace() - 2 * traceSqrt;
        boolean rankDeficient = real.count() <= dim || fake.count() <= dim;
        return new FrechetResult(fd, meanTerm, real.trace(), fake.trace(), traceSqrt, real.count(), fake.count(),
                dim, retry, eps, policy, rankDeficient);
    }

    /**
     * The condition under which scipy's sqrtm of Σ_real·Σ_fake returns NaN (see {@link EpsPolicy}): a feature
     * constant in the real set only (a zero row of the product) and another constant in the fake set only
     * (a zero column of the product).
     */
    static boolean scipySqrtmWouldFail(GaussianStats real, GaussianStats fake) {
        boolean[] constantReal = real.constantFeatures();
        boolean[] constantFake = fake.constantFeatures();
        boolean realOnly = false;
        boolean fakeOnly = false;
        for (int i = 0; i < constantReal.length; i++) {
            realOnly |= constantReal[i] && !constantFake[i];
            fakeOnly |= constantFake[i] && !constantReal[i];
        }
        return realOnly && fakeOnly;
    }

    /** {@code tr sqrt(A B)} for symmetric PSD A and B, by the symmetric form. */
    public static double traceSqrtOfProduct(double[][] a, double[][] b) {
        SymmetricEigen.Result eigA = SymmetricEigen.decompose(a);
        int n = a.length;
        double[][] z = eigA.vectors(); // rows are eigenvectors: Vᵀ
        double[][] c = new double[n][]; // diag(√w) Vᵀ
        for (int i = 0; i < n; i++) {
            double rootW = Math.sqrt(Math.max(eigA.values()[i], 0));
            c[i] = new double[n];
            for (int k = 0; k < n; k++) {
                c[i][k] = rootW * z[i][k];
            }
        }
        double[][] m = multiply(multiply(c, b, false), transpose(c), true); // diag(√w) Vᵀ B V diag(√w), lower triangle
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                m[j][i] = m[i][j];
            }
        }
        double trace = 0;
        for (double lambda : SymmetricEigen.values(m)) {
            trace += Math.sqrt(Math.max(lambda, 0));
        }
        return trace;
    }

    private static final int ROW_BLOCK = 32;
    private static final int INNER_BLOCK = 128;
    private static final int COLUMN_BLOCK = 512;

    /**
     * {@code x y}, or only its lower triangle ({@code j <= i}) when {@code lower}. Blocked so that a
     * {@value #INNER_BLOCK} × {@value #COLUMN_BLOCK} tile of y stays in cache, rows in parallel; every
     * element sums its terms in ascending k, so the result does not depend on the thread count.
     */
    static double[][] multiply(double[][] x, double[][] y, boolean lower) {
        int n = x.length;
        int inner = y.length;
        int cols = inner == 0 ? 0 : y[0].length;
        double[][] out = new double[n][cols];
        IntStream blocks = IntStream.range(0, (n + ROW_BLOCK - 1) / ROW_BLOCK);
        if ((long) n * inner * cols >= 1 << 20) {
            blocks = blocks.parallel();
        }
        blocks.forEach(block -> {
            int i0 = block * ROW_BLOCK;
            int i1 = Math.min(n, i0 + ROW_BLOCK);
            for (int k0 = 0; k0 < inner; k0 += INNER_BLOCK) {
                int k1 = Math.min(inner, k0 + INNER_BLOCK);
                for (int j0 = 0; j0 < cols && (!lower || j0 < i1); j0 += COLUMN_BLOCK) {
                    int j1 = Math.min(cols, j0 + COLUMN_BLOCK);
                    for (int i = i0; i < i1; i++) {
                        int end = lower ? Math.min(j1, i + 1) : j1;
                        double[] row = out[i];
                        double[] xi = x[i];
                        for (int k = k0; k < k1; k++) {
                            double xik = xi[k];
                            if (xik == 0) {
                                continue;
                            }
                            double[] yk = y[k];
                            for (int j = j0; j < end; j++) {
                                row[j] += xik * yk[j];
                            }
                        }
                    }
                }
            }
        });
        return out;
    }

    private static double[][] transpose(double[][] x) {
        int n = x.length;
        int cols = n == 0 ? 0 : x[0].length;
        double[][] t = new double[cols][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < cols; j++) {
                t[j][i] = x[i][j];
            }
        }
        return t;
    }

    private static double[][] withRidge(double[][] cov, double eps) {
        double[][] out = new double[cov.length][];
        for (int i = 0; i < cov.length; i++) {
            out[i] = cov[i].clone();
            out[i][i] += eps;
        }
        return out;
    }
}
