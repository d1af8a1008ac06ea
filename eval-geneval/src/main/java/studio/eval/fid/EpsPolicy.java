package studio.eval.fid;

/**
 * When to add {@code eps·I} to both covariances inside the matrix square root.
 *
 * <p>pytorch-fid ({@code fid_score.py::calculate_frechet_distance}, EVAL.md §2.1) computes
 * {@code scipy.linalg.sqrtm(sigma1 @ sigma2)} and, only if the result is not finite, prints
 * "fid calculation produces singular product; adding 1e-06 to diagonal of cov estimates" and retries with
 * {@code (sigma1 + eps·I) @ (sigma2 + eps·I)}; the traces {@code tr Σ1 + tr Σ2} keep the original sigmas.
 * scipy's Schur-based sqrtm (1.10) fails exactly when the product has two exactly-zero Schur diagonal
 * entries with a non-zero coupling — in practice when one feature is constant in the real set but not
 * the fake set and another is constant in the fake set but not the real set (measured with
 * {@code tools/reference/make_fd_fixtures.py}; a near-singular but not exactly singular product,
 * as with N < D, does not fail). Our symmetric-form square root never fails, so {@link #PYTORCH_FID}
 * predicts the retry from that condition.
 */
public enum EpsPolicy {
    /** Retry with eps exactly when pytorch-fid would (see above); the default. */
    PYTORCH_FID,
    /** Never add eps: the eps → 0 limit, Σ √λᵢ over the eigenvalues of the product. */
    NEVER,
    /** Always add eps. */
    ALWAYS
}
