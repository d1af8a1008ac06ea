package studio.eval.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {
    static double[][] randomSymmetric(int n, long seed) {
        Random rng = new Random(seed);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = rng.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        return a;
    }

    /** max |A v − λ v| over all pairs, and max |VᵀV − I|. */
    static void assertDecomposes(double[][] a, SymmetricEigen.Result r, double tolerance) {
        int n = a.length;
        for (int p = 0; p < n; p++) {
            double[] v = r.vectors()[p];
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int k = 0; k < n; k++) {
                    av += a[i][k] * v[k];
                }
                assertEquals(r.values()[p] * v[i], av, tolerance, "residual of pair " + p);
            }
            for (int q = 0; q < n; q++) {
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    dot += v[k] * r.vectors()[q][k];
                }
                assertEquals(p == q ? 1 : 0, dot, tolerance, "orthonormality " + p + "," + q);
            }
        }
        for (int p = 1; p < n; p++) {
            assertTrue(r.values()[p - 1] <= r.values()[p], "ascending");
        }
    }

    @Test
    void randomMatricesDecomposeToWorkingPrecision() {
        for (int n : new int[] {1, 2, 3, 7, 40, 129}) {
            double[][] a = randomSymmetric(n, n);
            assertDecomposes(a, SymmetricEigen.decompose(a), 1e-11);
        }
    }

    @Test
    void valuesOnlyAgreeWithTheFullDecomposition() {
        double[][] a = randomSymmetric(60, 7);
        assertArrayEquals(SymmetricEigen.decompose(a).values(), SymmetricEigen.values(a), 1e-12);
    }

    @Test
    void knownSpectra() {
        assertArrayEquals(new double[] {1, 3}, SymmetricEigen.values(new double[][] {{2, 1}, {1, 2}}), 1e-15);
        assertArrayEquals(new double[] {-2, 0, 5}, SymmetricEigen.values(new double[][] {{5, 0, 0}, {0, 0, 0}, {0, 0, -2}}), 0);
        // A rank-one PSD matrix u uᵀ: one eigenvalue |u|², the rest zero.
        double[] u = {1, 2, 3, 4};
        double[][] outer = new double[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                outer[i][j] = u[i] * u[j];
            }
        }
        double[] values = SymmetricEigen.values(outer);
        assertEquals(30, values[3], 1e-13);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, values[i], 1e-13);
        }
    }

    @Test
    void repeatedEigenvaluesStillGiveAnOrthonormalBasis() {
        double[][] a = new double[6][6];
        for (int i = 0; i < 6; i++) {
            a[i][i] = i < 3 ? 2 : 7;
        }
        double[][] q = SymmetricEigen.decompose(randomSymmetric(6, 3)).vectors(); // an orthogonal matrix
        double[][] rotated = new double[6][6]; // Qᵀ A Q
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 6; j++) {
                for (int k = 0; k < 6; k++) {
                    rotated[i][j] += q[k][i] * a[k][k] * q[k][j];
                }
            }
        }
        SymmetricEigen.Result r = SymmetricEigen.decompose(rotated);
        assertArrayEquals(new double[] {2, 2, 2, 7, 7, 7}, r.values(), 1e-13);
        assertDecomposes(rotated, r, 1e-12);
    }

    /**
     * At a size where the reduction, the accumulation and the batched rotations run on several cores
     * (n = 300): residuals and orthonormality, and the eigenvalues agree with an independent solver (cyclic
     * Jacobi) on a random matrix and on a rank-deficient covariance (100 samples of 300 features).
     */
    @Test
    void agreesWithJacobiAtThreeHundred() {
        int n = 300;
        double[][] random = randomSymmetric(n, 256);
        Random rng = new Random(5);
        double[][] x = new double[100][n];
        for (double[] row : x) {
            for (int k = 0; k < n; k++) {
                row[k] = 3 + rng.nextGaussian();
            }
        }
        double[][] cov = new double[n][n];
        for (double[] row : x) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    cov[i][j] += (row[i] - 3) * (row[j] - 3) / 99;
                }
            }
        }
        for (double[][] a : new double[][][] {random, cov}) {
            SymmetricEigen.Result r = SymmetricEigen.decompose(a);
            double norm = Math.max(Math.abs(r.values()[0]), Math.abs(r.values()[n - 1]));
            assertDecomposes(a, r, 1e-12 * norm);
            double[] jacobi = jacobiValues(a);
            assertArrayEquals(jacobi, r.values(), 1e-12 * norm);
            assertArrayEquals(jacobi, SymmetricEigen.values(a), 1e-12 * norm);
        }
    }

    /** Cyclic Jacobi (Golub and Van Loan §8.5): slow, simple, and unlike tred2/tql2 in every step. */
    static double[] jacobiValues(double[][] input) {
        int n = input.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = input[i].clone();
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double diag = 0;
            for (int i = 0; i < n; i++) {
                diag += a[i][i] * a[i][i];
                for (int j = i + 1; j < n; j++) {
                    off += a[i][j] * a[i][j];
                }
            }
            if (off <= 1e-30 * diag) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) { // A J: columns p and q
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    double[] ap = a[p];
                    double[] aq = a[q];
                    for (int k = 0; k < n; k++) { // Jᵀ A: rows p and q
                        double apk = ap[k];
                        double aqk = aq[k];
                        ap[k] = c * apk - s * aqk;
                        aq[k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
        java.util.Arrays.sort(values);
        return values;
    }
}
