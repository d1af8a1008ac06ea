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
}
