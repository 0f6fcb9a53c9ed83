package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.llep.models.layers.CausalLmLoss;
import ai.llep.models.layers.LossSum;
import ai.llep.models.layers.Segments;
import ai.llep.models.moe.RoutingStats;
import java.util.List;

/**
 * One forward pass on this rank: the logits (under the caller's step manager, in the graph when
 * recorded) and each MoE layer's routing statistics, in layer order.
 */
public record ModelOutput(NDArray logits_BSV, List<RoutingStats> routing) {
  public ModelOutput {
    routing = List.copyOf(routing);
  }

  /**
   * The causal-LM loss of these logits against {@code labels_BS} (unshifted), no token predicting
   * across a segment boundary.
   */
  public LossSum lossSum(int[][] labels_BS, Segments segments) {
    return CausalLmLoss.sum(logits_BSV, labels_BS, segments);
  }
}
