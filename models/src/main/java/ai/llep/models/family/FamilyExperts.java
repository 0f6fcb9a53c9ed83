package ai.llep.models.family;

import ai.llep.dispatch.ExpertFunction;
import java.util.List;

/**
 * What the experts of each family compute, and which projections a rank stacks for them, in the
 * function's transfer order (from the family's {@link Family}).
 */
public final class FamilyExperts {
  private FamilyExperts() {}

  /** The expert function of {@code config}'s MoE layers. */
  public static ExpertFunction of(ModelConfig config) {
    return config.family().definition().experts(config);
  }

  /**
   * The projections ({@link TensorNames#expertWeight}'s {@code proj}) stacked per MoE layer, in the
   * order of {@link #of}'s tensors.
   */
  public static List<String> projections(ModelConfig config) {
    return config.family().definition().expertProjections();
  }
}
