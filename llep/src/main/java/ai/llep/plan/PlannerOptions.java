package ai.llep.plan;

/**
 * Parameters of the least-loaded assignment.
 *
 * @param alpha capacity factor: a rank is overloaded above alpha times the mean rank load
 * @param minTokensPerGemm m: a spilled chunk smaller than this is not worth a weight transfer
 * @param lambda the per-rank imbalance ratio (max / mean native load) from which {@link
 *     DispatchMode#AUTO} runs the least-loaded assignment instead of standard EP
 * @param variant which rules the assignment follows
 */
public record PlannerOptions(double alpha, int minTokensPerGemm, double lambda, Variant variant) {

  /** The rules of the least-loaded assignment. */
  public enum Variant {
    /** The assignment as specified in this project (ceiled capacity, one transfer per pair). */
    DEFAULT,
    /**
     * The authors' published code, kept to check golden vectors: floored capacity, stale
     * least-loaded rank in the Case-3 fallback, no merging, duplicate transfers.
     */
    REFERENCE
  }

  public PlannerOptions {
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("alpha must be finite and > 0, got " + alpha);
    }
    if (minTokensPerGemm < 1) {
      throw new IllegalArgumentException("minTokensPerGemm must be >= 1, got " + minTokensPerGemm);
    }
    if (!(lambda > 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda must be finite and > 0, got " + lambda);
    }
    if (variant == null) {
      throw new IllegalArgumentException("variant must not be null");
    }
  }

  /** The paper's defaults: alpha 1.0, m 1024, lambda 1.3, default variant. */
  public static PlannerOptions defaults() {
    return new PlannerOptions(1.0, 1024, 1.3, Variant.DEFAULT);
  }

  public PlannerOptions withVariant(Variant newVariant) {
    return new PlannerOptions(alpha, minTokensPerGemm, lambda, newVariant);
  }

  public PlannerOptions withMinTokensPerGemm(int m) {
    return new PlannerOptions(alpha, m, lambda, variant);
  }

  /**
   * Per-rank capacity for {@code totalSlots} slots over {@code ranks} ranks: {@code ceil(alpha * T
   * / P)} (so that P * cap >= T when alpha >= 1), or for {@link Variant#REFERENCE} the authors'
   * {@code int(alpha * (T // P))}. Evaluated in double, as both the reference and the paper do.
   */
  public long capacity(long totalSlots, int ranks) {
    if (totalSlots < 0 || ranks < 1) {
      throw new IllegalArgumentException(
          "capacity needs totalSlots >= 0 and ranks >= 1, got " + totalSlots + ", " + ranks);
    }
    return switch (variant) {
      case DEFAULT -> (long) Math.ceil(alpha * totalSlots / ranks);
      case REFERENCE -> (long) (alpha * (totalSlots / ranks));
    };
  }
}
