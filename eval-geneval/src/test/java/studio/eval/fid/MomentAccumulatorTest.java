package studio.eval.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MomentAccumulatorTest {
    @Test
    void matchesExactTwoPassStatisticsUnderALargeOffset() {
        int n = 500;
        int d = 5;
        Random rng = new Random(11);
        float[] values = new float[n * d];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (1e4 + rng.nextGaussian());
        }
        GaussianStats stats = GaussianStats.of(n, d, values);
        MathContext mc = MathContext.DECIMAL128;
        for (int i = 0; i < d; i++) {
            BigDecimal mean = exactMean(values, n, d, i, mc);
            assertEquals(mean.doubleValue(), stats.mean()[i], 1e-14 * Math.abs(mean.doubleValue()));
            for (int j = 0; j < d; j++) {
                BigDecimal meanJ = exactMean(values, n, d, j, mc);
                BigDecimal sum = BigDecimal.ZERO;
                for (int r = 0; r < n; r++) {
                    sum = sum.add(new BigDecimal(values[r * d + i]).subtract(mean)
                            .multiply(new BigDecimal(values[r * d + j]).subtract(meanJ)), mc);
                }
                double exact = sum.divide(BigDecimal.valueOf(n - 1), mc).doubleValue();
                assertEquals(exact, stats.cov()[i][j], 1e-10 * Math.max(1, Math.abs(exact)), "cov " + i + "," + j);
            }
        }
    }

    private static BigDecimal exactMean(float[] values, int n, int d, int col, MathContext mc) {
        BigDecimal sum = BigDecimal.ZERO;
        for (int r = 0; r < n; r++) {
            sum = sum.add(new BigDecimal(values[r * d + col]));
        }
        return sum.divide(BigDecimal.valueOf(n), mc);
    }

    @Test
    void constantFeatureHasExactlyZeroVariance() {
        float[] values = {0.1f, 1, 0.1f, 2, 0.1f, 4};
        GaussianStats stats = GaussianStats.of(3, 2, values);
        assertEquals(0.0, stats.cov()[0][0]);
        assertEquals(0.0, stats.cov()[0][1]);
        assertEquals(7.0 / 3, stats.cov()[1][1], 1e-15);
        assertEquals(true, stats.constantFeatures()[0]);
        assertEquals(false, stats.constantFeatures()[1]);
    }

    @Test
    void oneSampleHasNoCovariance() {
        MomentAccumulator acc = new MomentAccumulator(3);
        acc.add(new float[] {1, 2, 3}, 0);
        assertThrows(IllegalStateException.class, acc::stats);
    }

    /**
     * Wider than one block of the accumulator, and a sample count that is no multiple of it, so partial
     * blocks, the merge rows and the parallel row update are all used: agrees with the exact two-pass result.
     */
    @Test
    void blockedMergesMatchTwoPassStatistics() {
        int n = 3 * MomentAccumulator.BLOCK + 7;
        int d = 400;
        Random rng = new Random(3);
        double[] values = new double[n * d];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < d; k++) {
                values[r * d + k] = 1e3 * (k % 3) + (r < n / 2 ? 0.5 : -0.5) + rng.nextGaussian();
            }
        }
        MomentAccumulator acc = new MomentAccumulator(d);
        for (int r = 0; r < n; r++) {
            acc.add(values, r * d);
        }
        assertEquals(n, acc.count());
        GaussianStats stats = acc.stats();
        double[] mean = new double[d];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < d; k++) {
                mean[k] += values[r * d + k] / n;
            }
        }
        for (int i = 0; i < d; i += 7) {
            assertEquals(mean[i], stats.mean()[i], 1e-12 * Math.max(1, Math.abs(mean[i])));
            for (int j = 0; j < d; j += 5) {
                double sum = 0;
                for (int r = 0; r < n; r++) {
                    sum += (values[r * d + i] - mean[i]) * (values[r * d + j] - mean[j]);
                }
                assertEquals(sum / (n - 1), stats.cov()[i][j], 1e-11, "cov " + i + "," + j);
            }
        }
    }
}
