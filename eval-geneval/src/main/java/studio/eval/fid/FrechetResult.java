package studio.eval.fid;

/**
 * A Fréchet distance and its parts: {@code fd = meanTerm + tr Σ_real + tr Σ_fake − 2·traceSqrt}.
 *
 * @param meanTerm   {@code ||μ_real − μ_fake||²}
 * @param traceSqrt  {@code tr sqrt(Σ_real Σ_fake)} (with eps·I added to both when {@code epsRetry})
 * @param epsRetry   whether eps·I was added (see {@link EpsPolicy})
 * @param rankDeficient a covariance has rank below dim (n ≤ dim): FD is then strongly biased; pytorch-fid's
 *                   README suggests fewer feature dims for small sets
 */
public record FrechetResult(double fd, double meanTerm, double traceReal, double traceFake, double traceSqrt,
                            long nReal, long nFake, int dim, boolean epsRetry, double eps, EpsPolicy policy,
                            boolean rankDeficient) {}
