package studio.eval.fid;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Eigen-decomposition of a real symmetric matrix in double precision: Householder reduction to tridiagonal
 * form, then the implicit QL algorithm with Wilkinson-style shifts (the EISPACK {@code tred2}/{@code tql2}
 * pair, as in Golub and Van Loan §8.3). O(n³); backward stable, so eigenvalues are accurate to about
 * {@code 1e-16 × ||A||}. Written here rather than adding a linear-algebra dependency: Fréchet distance needs
 * only this one routine, and it is checked against scipy on committed fixtures (see {@code FrechetDistanceTest}).
 *
 * <p>Only the lower triangle of the input is read. Eigenvalues come out ascending; eigenvector {@code i} is
 * row {@code i} of {@link Result#vectors()}.
 *
 * <p>Memory layout, for speed at Inception size (n = 2048, where a column-wise tred2 falls out of cache):
 * the reduction works on the transpose {@code W = Vᵀ} of tred2's working matrix, so every inner loop of the
 * reduction and of the accumulation of the transform runs along a row; the transform comes out with the
 * eigenvectors already as rows. QL computes its rotations on the tridiagonal alone and applies them to the
 * eigenvector rows later, in batches, one block of columns at a time (each element sees the same rotations
 * in the same order as when they are applied at once, but a block stays in cache) and on all cores.
 */
public final class SymmetricEigen {
    private static final double EPS = Math.ulp(1.0);
    private static final int MAX_SWEEPS_PER_VALUE = 60;
    /** Columns of the eigenvector rows one batch of rotations is applied to at a time. */
    private static final int COLUMN_BLOCK = 64;
    /** Row count from which the reduction's row updates run in parallel. */
    private static final int PARALLEL_ROWS = 256;
    /** Rotations recorded before they are applied. */
    private static final int ROTATION_BATCH = 1 << 16;

    /** Ascending eigenvalues and, when asked for, the matching unit eigenvectors as rows. */
    public record Result(double[] values, double[][] vectors) {}

    private SymmetricEigen() {}

    public static Result decompose(double[][] a) {
        return run(a, true);
    }

    public static double[] values(double[][] a) {
        return run(a, false).values();
    }

    private static Result run(double[][] a, boolean wantVectors) {
        int n = a.length;
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) {
                throw new IllegalArgumentException("matrix is not square: row " + i + " has " + a[i].length + " columns");
            }
        }
        // w = transpose of the lower triangle: w[j][i] = a[i][j] for j <= i; tred2 reads no other entry.
        double[][] w = new double[n][n];
        for (int i = 0; i < n; i++) {
            double[] ai = a[i];
            for (int j = 0; j <= i; j++) {
                w[j][i] = ai[j];
            }
        }
        double[] d = new double[n];
        double[] e = new double[n];
        if (n == 0) {
            return new Result(d, w);
        }
        tridiagonalize(w, d, e, wantVectors);
        double[][] rows = wantVectors ? w : null;
        ql(d, e, rows);
        sortAscending(d, rows);
        return new Result(d, rows);
    }

    /**
     * {@code tred2} on the transpose: on return d is the diagonal, e[1..] the sub-diagonal, and (if wanted)
     * w holds the orthogonal transform in its rows (tred2's columns).
     */
    private static void tridiagonalize(double[][] w, double[] d, double[] e, boolean wantVectors) {
        int n = d.length;
        for (int j = 0; j < n; j++) {
            d[j] = w[j][n - 1];
        }
        for (int i = n - 1; i > 0; i--) {
            double scale = 0;
            double h = 0;
            for (int k = 0; k < i; k++) {
                scale += Math.abs(d[k]);
            }
            if (scale == 0) {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++) {
                    d[j] = w[j][i - 1];
                    w[j][i] = 0;
                    w[i][j] = 0;
                }
            } else {
                h = householderStep(w, d, e, i, scale);
            }
            d[i] = h;
        }
        e[0] = 0;
        if (!wantVectors) {
            for (int j = 0; j < n; j++) {
                d[j] = w[j][j];
            }
            return;
        }
        accumulate(w, d);
        for (int j = 0; j < n; j++) {
            d[j] = w[j][n - 1];
            w[j][n - 1] = 0;
        }
        w[n - 1][n - 1] = 1;
    }

    /**
     * One Householder reflection zeroing column i of w above the diagonal (tred2's row i left of the
     * sub-diagonal); returns h = |u|²/2. Row j of w, from column j on, is column j of the lower triangle.
     */
    private static double householderStep(double[][] w, double[] d, double[] e, int i, double scale) {
        double h = 0;
        for (int k = 0; k < i; k++) {
            d[k] /= scale;
            h += d[k] * d[k];
        }
        double f = d[i - 1];
        double g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        d[i - 1] = f - g;
        for (int j = 0; j < i; j++) {
            e[j] = 0;
        }
        double[] ui = w[i];
        for (int j = 0; j < i; j++) { // e = A u over the leading i×i block, from its lower triangle
            double[] wj = w[j];
            f = d[j];
            ui[j] = f;
            e[j] += wj[j] * f + dot(wj, d, j + 1, i);
            axpy(f, wj, e, j + 1, i);
        }
        f = 0;
        for (int j = 0; j < i; j++) {
            e[j] /= h;
            f += e[j] * d[j];
        }
        double hh = f / (h + h);
        for (int j = 0; j < i; j++) {
            e[j] -= hh * d[j];
        }
        rows(i, j -> { // A -= u eᵀ + e uᵀ; rows are independent
            double[] wj = w[j];
            double uj = d[j];
            double ej = e[j];
            for (int k = j; k < i; k++) {
                wj[k] -= uj * e[k] + ej * d[k];
            }
        });
        for (int j = 0; j < i; j++) {
            d[j] = w[j][i - 1];
            w[j][i] = 0;
        }
        return h;
    }

    /** Builds the product of the reflections into w's rows. */
    private static void accumulate(double[][] w, double[] d) {
        int n = d.length;
        for (int i = 0; i < n - 1; i++) {
            double[] wi = w[i];
            double[] u = w[i + 1];
            wi[n - 1] = wi[i];
            wi[i] = 1;
            double h = d[i + 1];
            if (h != 0) {
                for (int k = 0; k <= i; k++) {
                    d[k] = u[k] / h;
                }
                int end = i + 1;
                rows(end, j -> {
                    double[] wj = w[j];
                    axpy(-dot(u, wj, 0, end), d, wj, 0, end);
                });
            }
            for (int k = 0; k <= i; k++) {
                u[k] = 0;
            }
        }
    }

    /** Runs {@code body} for rows 0..count-1, on all cores when there is enough work; rows must be independent. */
    private static void rows(int count, IntConsumer body) {
        if (count < PARALLEL_ROWS) {
            for (int j = 0; j < count; j++) {
                body.accept(j);
            }
        } else {
            IntStream.range(0, count).parallel().forEach(body);
        }
    }

    /** {@code Σ x[k] y[k]} over [from, to), in four interleaved partial sums. */
    static double dot(double[] x, double[] y, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = from;
        for (; k + 3 < to; k += 4) {
            s0 += x[k] * y[k];
            s1 += x[k + 1] * y[k + 1];
            s2 += x[k + 2] * y[k + 2];
            s3 += x[k + 3] * y[k + 3];
        }
        for (; k < to; k++) {
            s0 += x[k] * y[k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code y[k] += alpha x[k]} over [from, to). */
    private static void axpy(double alpha, double[] x, double[] y, int from, int to) {
        for (int k = from; k < to; k++) {
            y[k] += alpha * x[k];
        }
    }

    /** {@code tql2}: implicit QL on the tridiagonal (d, e); rotations applied to the rows of z if given. */
    private static void ql(double[] d, double[] e, double[][] z) {
        int n = d.length;
        System.arraycopy(e, 1, e, 0, n - 1);
        e[n - 1] = 0;
        Rotations rotations = z == null ? null : new Rotations(z);
        double f = 0;
        double tst1 = 0;
        for (int l = 0; l < n; l++) {
            tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.abs(e[m]) > EPS * tst1) {
                m++;
            }
            int sweeps = 0;
            while (m > l && Math.abs(e[l]) > EPS * tst1) {
                if (++sweeps > MAX_SWEEPS_PER_VALUE) {
                    throw new ArithmeticException("QL iteration did not converge for eigenvalue " + l);
                }
                f += shiftedSweep(d, e, rotations, l, m);
            }
            d[l] += f;
            e[l] = 0;
        }
        if (rotations != null) {
            rotations.apply();
        }
    }

    /** One implicitly shifted QL sweep over rows l..m; returns the shift taken out of d[l..]. */
    private static double shiftedSweep(double[] d, double[] e, Rotations z, int l, int m) {
        int n = d.length;
        double g = d[l];
        double p = (d[l + 1] - g) / (2 * e[l]);
        double r = Math.hypot(p, 1);
        if (p < 0) {
            r = -r;
        }
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        double dl1 = d[l + 1];
        double h = g - d[l];
        for (int i = l + 2; i < n; i++) {
            d[i] -= h;
        }
        p = d[m];
        double c = 1;
        double c2 = c;
        double c3 = c;
        double el1 = e[l + 1];
        double s = 0;
        double s2 = 0;
        for (int i = m - 1; i >= l; i--) {
            c3 = c2;
            c2 = c;
            s2 = s;
            g = c * e[i];
            double hp = c * p;
            r = Math.hypot(p, e[i]);
            e[i + 1] = s * r;
            s = e[i] / r;
            c = p / r;
            p = c * d[i] - s * g;
            d[i + 1] = hp + s * (c * g + s * d[i]);
            if (z != null) {
                z.add(i, c, s);
            }
        }
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
        return h;
    }

    /**
     * Plane rotations of rows (i, i+1) of z, recorded in order and applied in batches: for each block of
     * columns, every rotation of the batch in order, so the block's part of the rows stays in cache. Each
     * element goes through the same arithmetic as if every rotation were applied to whole rows at once.
     */
    private static final class Rotations {
        private final double[][] z;
        private final int[] row = new int[ROTATION_BATCH];
        private final double[] cos = new double[ROTATION_BATCH];
        private final double[] sin = new double[ROTATION_BATCH];
        private int size;

        Rotations(double[][] z) {
            this.z = z;
        }

        void add(int i, double c, double s) {
            if (size == ROTATION_BATCH) {
                apply();
            }
            row[size] = i;
            cos[size] = c;
            sin[size] = s;
            size++;
        }

        void apply() {
            int columns = z.length;
            int blocks = (columns + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
            if (size == 0 || blocks == 0) {
                return;
            }
            IntStream range = IntStream.range(0, blocks);
            if ((long) size * columns >= 1 << 20) {
                range = range.parallel();
            }
            range.forEach(b -> applyToColumns(b * COLUMN_BLOCK, Math.min(columns, (b + 1) * COLUMN_BLOCK)));
            size = 0;
        }

        private void applyToColumns(int from, int to) {
            for (int r = 0; r < size; r++) {
                double[] zi = z[row[r]];
                double[] zi1 = z[row[r] + 1];
                double c = cos[r];
                double s = sin[r];
                for (int k = from; k < to; k++) {
                    double h = zi1[k];
                    zi1[k] = s * zi[k] + c * h;
                    zi[k] = c * zi[k] - s * h;
                }
            }
        }
    }

    private static void sortAscending(double[] d, double[][] rows) {
        int n = d.length;
        for (int i = 0; i < n - 1; i++) {
            int min = i;
            for (int j = i + 1; j < n; j++) {
                if (d[j] < d[min]) {
                    min = j;
                }
            }
            if (min != i) {
                double t = d[i];
                d[i] = d[min];
                d[min] = t;
                if (rows != null) {
                    double[] row = rows[i];
                    rows[i] = rows[min];
                    rows[min] = row;
                }
            }
        }
    }
}
