package studio.eval.fid;

/**
 * Eigen-decomposition of a real symmetric matrix in double precision: Householder reduction to tridiagonal
 * form, then the implicit QL algorithm with Wilkinson-style shifts (the EISPACK {@code tred2}/{@code tql2}
 * pair, as in Golub and Van Loan §8.3). O(n³); backward stable, so eigenvalues are accurate to about
 * {@code 1e-16 × ||A||}. Written here rather than adding a linear-algebra dependency: Fréchet distance needs
 * only this one routine, and it is checked against scipy on committed fixtures (see {@code FrechetDistanceTest}).
 *
 * <p>Only the lower triangle of the input is read. Eigenvalues come out ascending; eigenvector {@code i} is
 * row {@code i} of {@link Result#vectors()} (rows keep the QL rotations cache-friendly).
 */
public final class SymmetricEigen {
    private static final double EPS = Math.ulp(1.0);
    private static final int MAX_SWEEPS_PER_VALUE = 60;

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
        double[][] v = new double[n][];
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) {
                throw new IllegalArgumentException("matrix is not square: row " + i + " has " + a[i].length + " columns");
            }
            v[i] = a[i].clone();
        }
        double[] d = new double[n];
        double[] e = new double[n];
        if (n == 0) {
            return new Result(d, v);
        }
        tridiagonalize(v, d, e, wantVectors);
        double[][] rows = wantVectors ? transpose(v) : null;
        ql(d, e, rows);
        sortAscending(d, rows);
        return new Result(d, rows);
    }

    /**
     * {@code tred2}: on return d is the diagonal, e[1..] the sub-diagonal, and (if wanted) v holds the
     * orthogonal transform in its columns.
     */
    private static void tridiagonalize(double[][] v, double[] d, double[] e, boolean wantVectors) {
        int n = d.length;
        System.arraycopy(v[n - 1], 0, d, 0, n);
        for (int i = n - 1; i > 0; i--) {
            double scale = 0;
            double h = 0;
            for (int k = 0; k < i; k++) {
                scale += Math.abs(d[k]);
            }
            if (scale == 0) {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++) {
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                    v[j][i] = 0;
                }
            } else {
                h = householderStep(v, d, e, i, scale);
            }
            d[i] = h;
        }
        e[0] = 0;
        if (!wantVectors) {
            for (int j = 0; j < n; j++) {
                d[j] = v[j][j];
            }
            return;
        }
        accumulate(v, d);
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
            v[n - 1][j] = 0;
        }
        v[n - 1][n - 1] = 1;
    }

    /** One Householder reflection zeroing row i left of the sub-diagonal; returns h = |u|²/2. */
    private static double householderStep(double[][] v, double[] d, double[] e, int i, double scale) {
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
        for (int j = 0; j < i; j++) {
            f = d[j];
            v[j][i] = f;
            g = e[j] + v[j][j] * f;
            for (int k = j + 1; k <= i - 1; k++) {
                g += v[k][j] * d[k];
                e[k] += v[k][j] * f;
            }
            e[j] = g;
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
        for (int j = 0; j < i; j++) {
            f = d[j];
            g = e[j];
            for (int k = j; k <= i - 1; k++) {
                v[k][j] -= (f * e[k] + g * d[k]);
            }
            d[j] = v[i - 1][j];
            v[i][j] = 0;
        }
        return h;
    }

    /** Builds the product of the reflections into v's columns. */
    private static void accumulate(double[][] v, double[] d) {
        int n = d.length;
        for (int i = 0; i < n - 1; i++) {
            v[n - 1][i] = v[i][i];
            v[i][i] = 1;
            double h = d[i + 1];
            if (h != 0) {
                for (int k = 0; k <= i; k++) {
                    d[k] = v[k][i + 1] / h;
                }
                for (int j = 0; j <= i; j++) {
                    double g = 0;
                    for (int k = 0; k <= i; k++) {
                        g += v[k][i + 1] * v[k][j];
                    }
                    for (int k = 0; k <= i; k++) {
                        v[k][j] -= g * d[k];
                    }
                }
            }
            for (int k = 0; k <= i; k++) {
                v[k][i + 1] = 0;
            }
        }
    }

    /** {@code tql2}: implicit QL on the tridiagonal (d, e); rotations applied to the rows of z if given. */
    private static void ql(double[] d, double[] e, double[][] z) {
        int n = d.length;
        System.arraycopy(e, 1, e, 0, n - 1);
        e[n - 1] = 0;
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
                f += shiftedSweep(d, e, z, l, m);
            }
            d[l] += f;
            e[l] = 0;
        }
    }

    /** One implicitly shifted QL sweep over rows l..m; returns the shift taken out of d[l..]. */
    private static double shiftedSweep(double[] d, double[] e, double[][] z, int l, int m) {
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
                rotateRows(z[i], z[i + 1], c, s);
            }
        }
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
        return h;
    }

    private static void rotateRows(double[] zi, double[] zi1, double c, double s) {
        for (int k = 0; k < zi.length; k++) {
            double h = zi1[k];
            zi1[k] = s * zi[k] + c * h;
            zi[k] = c * zi[k] - s * h;
        }
    }

    private static double[][] transpose(double[][] v) {
        int n = v.length;
        double[][] t = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t[j][i] = v[i][j];
            }
        }
        return t;
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
