package studio.eval.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Against pytorch-fid's computation done with scipy ({@code tools/reference/make_fd_fixtures.py}; how the
 * fixtures were made is in {@code src/test/resources/studio/eval/fid/README.md}).
 */
class FrechetDistanceTest {
    static final double MAX_RELATIVE_ERROR = 1e-6;

    static Path fixture(String name) throws Exception {
        return Path.of(FrechetDistanceTest.class.getResource("/studio/eval/fid/" + name).toURI());
    }

    static JsonNode expected() throws Exception {
        return new ObjectMapper().readTree(fixture("expected.json").toFile()).get("cases");
    }

    static Stream<String> cases() throws Exception {
        Stream.Builder<String> names = Stream.builder();
        expected().fieldNames().forEachRemaining(names::add);
        return names.build();
    }

    @Test
    void everyDocumentedCaseIsPresent() throws Exception {
        assertEquals("[well_conditioned, rank_deficient, near_identical, large_offset, eps_retry, wide_64]",
                cases().toList().toString());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesScipyWithinOnePartPerMillion(String name) throws Exception {
        JsonNode want = expected().get(name);
        GaussianStats real = FeatureFiles.statistics(fixture(name + "_real.safetensors"));
        GaussianStats fake = FeatureFiles.statistics(fixture(name + "_fake.safetensors"));
        FrechetResult got = FrechetDistance.compute(real, fake);
        double relative = Math.abs(got.fd() - want.get("fd").asDouble()) / Math.abs(want.get("fd").asDouble());
        System.out.printf(Locale.ROOT, "fd %-16s java %.15g scipy %.15g relative error %.2e%n", name, got.fd(),
                want.get("fd").asDouble(), relative);
        assertTrue(relative <= MAX_RELATIVE_ERROR, name + ": relative error " + relative);
        assertEquals(want.get("eps_retry").asBoolean(), got.epsRetry(), name + " eps retry");
        assertEquals(want.get("n_real").asLong(), got.nReal());
        assertEquals(want.get("n_fake").asLong(), got.nFake());
        assertEquals(want.get("dim").asInt(), got.dim());
    }

    @Test
    void withoutTheRetryTheEpsCaseDiffersFromPytorchFid() throws Exception {
        GaussianStats real = FeatureFiles.statistics(fixture("eps_retry_real.safetensors"));
        GaussianStats fake = FeatureFiles.statistics(fixture("eps_retry_fake.safetensors"));
        double scipy = expected().get("eps_retry").get("fd").asDouble();
        FrechetResult limit = FrechetDistance.compute(real, fake, EpsPolicy.NEVER, FrechetDistance.DEFAULT_EPS);
        assertTrue(Math.abs(limit.fd() - scipy) / scipy > 1e-5, "eps changes this case by more than 1e-5: " + limit.fd());
        assertTrue(!limit.epsRetry());
    }

    @Test
    void rankDeficientSetsAreFlagged() throws Exception {
        FrechetResult small = FrechetDistance.compute(FeatureFiles.statistics(fixture("rank_deficient_real.safetensors")),
                FeatureFiles.statistics(fixture("rank_deficient_fake.safetensors")));
        assertTrue(small.rankDeficient());
        FrechetResult big = FrechetDistance.compute(FeatureFiles.statistics(fixture("well_conditioned_real.safetensors")),
                FeatureFiles.statistics(fixture("well_conditioned_fake.safetensors")));
        assertTrue(!big.rankDeficient());
    }

    @Test
    void identicalSetsAreAtDistanceZeroAndPartsAddUp() throws Exception {
        GaussianStats s = FeatureFiles.statistics(fixture("wide_64_real.safetensors"));
        FrechetResult self = FrechetDistance.compute(s, s);
        assertEquals(0, self.fd(), 1e-12 * s.trace());
        FrechetResult r = FrechetDistance.compute(s, FeatureFiles.statistics(fixture("wide_64_fake.safetensors")));
        assertEquals(r.fd(), r.meanTerm() + r.traceReal() + r.traceFake() - 2 * r.traceSqrt(), 0);
    }

    @Test
    void diagonalCovariancesHaveTheClosedForm() {
        // For diagonal Σ1, Σ2: tr sqrt(Σ1Σ2) = Σ sqrt(a_i b_i); FD = |Δμ|² + Σ (√a_i − √b_i)².
        double[] a = {4, 1, 9, 0.25};
        double[] b = {1, 16, 9, 0};
        double[][] sa = new double[4][4];
        double[][] sb = new double[4][4];
        double expected = 0;
        for (int i = 0; i < 4; i++) {
            sa[i][i] = a[i];
            sb[i][i] = b[i];
            expected += Math.pow(Math.sqrt(a[i]) - Math.sqrt(b[i]), 2);
        }
        GaussianStats s1 = new GaussianStats(10, new double[] {1, 0, 0, 0}, sa);
        GaussianStats s2 = new GaussianStats(10, new double[] {0, 0, 0, 2}, sb);
        FrechetResult r = FrechetDistance.compute(s1, s2, EpsPolicy.NEVER, 0);
        assertEquals(expected + 1 + 4, r.fd(), 1e-12);
    }

    @Test
    void pytorchFidRetryConditionNeedsConstantFeaturesOnBothSides() {
        assertTrue(FrechetDistance.scipySqrtmWouldFail(diagonal(0, 1, 1), diagonal(1, 0, 1)));
        assertTrue(!FrechetDistance.scipySqrtmWouldFail(diagonal(0, 1, 1), diagonal(0, 1, 1)));
        assertTrue(!FrechetDistance.scipySqrtmWouldFail(diagonal(0, 0, 1), diagonal(1, 1, 1)));
        assertTrue(!FrechetDistance.scipySqrtmWouldFail(diagonal(0, 1, 1), diagonal(0, 0, 1)));
    }

    private static GaussianStats diagonal(double... variances) {
        double[][] cov = new double[variances.length][variances.length];
        for (int i = 0; i < variances.length; i++) {
            cov[i][i] = variances[i];
        }
        return new GaussianStats(5, new double[variances.length], cov);
    }

    /** The blocked, parallel product sums every element in ascending k, as the plain triple loop does. */
    @Test
    void blockedProductEqualsThePlainTripleLoop() {
        java.util.Random rng = new java.util.Random(9);
        int n = 300;
        int inner = 290;
        int cols = 700;
        double[][] x = new double[n][inner];
        double[][] y = new double[inner][cols];
        for (double[] row : x) {
            for (int k = 0; k < inner; k++) {
                row[k] = k % 11 == 0 ? 0 : rng.nextGaussian();
            }
        }
        for (double[] row : y) {
            for (int j = 0; j < cols; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        double[][] full = FrechetDistance.multiply(x, y, false);
        double[][] lower = FrechetDistance.multiply(x, y, true);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < cols; j++) {
                double expected = 0;
                for (int k = 0; k < inner; k++) {
                    expected += x[i][k] * y[k][j];
                }
                assertEquals(expected, full[i][j], 0, i + "," + j);
                assertEquals(j <= i ? expected : 0, lower[i][j], 0, "lower " + i + "," + j);
            }
        }
    }
}
