package ai.llep.models.family;

/**
 * How a family scales its rotary frequencies ({@code rope_parameters} in transformers 5): none, or
 * YaRN (gpt-oss), whose fields keep transformers' names.
 *
 * @param factor YaRN's {@code factor}: how much longer the context is than in pre-training
 * @param betaFast {@code beta_fast}: rotations from which dimensions extrapolate
 * @param betaSlow {@code beta_slow}: rotations below which dimensions interpolate
 * @param originalMaxPositions {@code original_max_position_embeddings}
 * @param truncate {@code truncate}: whether the ramp's bounds are rounded outwards to integers
 * @param attentionFactor the factor on the cosines and sines ({@code attention_factor}, or {@code
 *     0.1 ln(factor) + 1} where absent)
 */
public record RopeScaling(
    Type type,
    double factor,
    double betaFast,
    double betaSlow,
    int originalMaxPositions,
    boolean truncate,
    double attentionFactor) {
  /** The kinds of rotary scaling implemented. */
  public enum Type {
    NONE,
    YARN
  }

  /** Plain RoPE. */
  public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1, 0, 0, 1, false, 1);

  public RopeScaling {
    if (type == null) {
      throw new IllegalArgumentException("rope scaling type must not be null");
    }
    if (type == Type.YARN) {
      if (!(factor >= 1) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException(
            "rope_parameters.factor must be finite and >= 1 for yarn, got " + factor);
      }
      if (!(betaFast > 0) || !(betaSlow > 0)) {
        throw new IllegalArgumentException(
            "rope_parameters.beta_fast and beta_slow must be > 0, got "
                + betaFast
                + " and "
                + betaSlow);
      }
      if (originalMaxPositions < 1) {
        throw new IllegalArgumentException(
            "rope_parameters.original_max_position_embeddings must be >= 1, got "
                + originalMaxPositions);
      }
      if (!(attentionFactor > 0) || Double.isInfinite(attentionFactor)) {
        throw new IllegalArgumentException(
            "rope_parameters.attention_factor must be finite and > 0, got " + attentionFactor);
      }
    }
  }
}
