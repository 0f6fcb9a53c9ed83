package ai.llep.models.family;

import ai.llep.dispatch.ExpertFunction;
import ai.llep.models.experts.SwiGluExperts;
import java.util.List;

/**
 * What the experts of each family compute, and which checkpoint projections a rank stacks for them,
 * in the function's transfer order.
 */
public final class FamilyExperts {
  private FamilyExperts() {}

  /** The expert function of {@code config}'s MoE layers. */
  public static ExpertFunction of(ModelConfig config) {
    return switch (config.family()) {
      case MIXTRAL, QWEN3_MOE, OLMOE ->
          new SwiGluExperts(config.hiddenSize(), config.moeIntermediateSize(), false);
    };
  }

  /**
   * The projections ({@link TensorNames#expertWeight}'s {@code proj}) stacked per MoE layer, in the
   * order of {@link #of}'s tensors.
   */
  public static List<String> projections(ModelConfig config) {
    return switch (config.family()) {
      case MIXTRAL, QWEN3_MOE, OLMOE -> List.of("gate", "up", "down");
    };
  }
}
