package ai.llep.models;

import ai.llep.models.layers.LossSum;
import ai.llep.models.moe.RoutingStats;
import java.util.List;

/**
 * A training forward pass: the loss as sum and count, and each MoE layer's routing statistics in
 * layer order. It holds no logits: the loss is computed from the hidden states in chunks.
 */
public record LossOutput(LossSum loss, List<RoutingStats> routing) {
  public LossOutput {
    routing = List.copyOf(routing);
  }
}
