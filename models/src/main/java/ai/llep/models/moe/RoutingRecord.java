package ai.llep.models.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * What one MoE layer decided in one forward: the experts each token was routed to, kept so that a
 * recompute of the layer (activation checkpointing) routes exactly as the forward did, and the
 * routing statistics of that forward. Filled by the first {@link MoeBlock#forward} given it.
 */
public final class RoutingRecord {
  private final NDManager owner;
  private NDArray chosen_TK;
  private RoutingStats stats;

  /**
   * @param owner keeps the chosen experts for as long as a recompute may need them (the step)
   */
  public RoutingRecord(NDManager owner) {
    this.owner = owner;
  }

  /** The experts the first forward chose, [T, K] int64 on the tokens' device; null before it. */
  NDArray chosen() {
    return chosen_TK;
  }

  void keep(NDArray chosen_TK, RoutingStats stats) {
    chosen_TK.attach(owner);
    stats.retainIn(owner);
    this.chosen_TK = chosen_TK;
    this.stats = stats;
  }

  /** The first forward's routing statistics; null when the layer has not run (or is dense). */
  public RoutingStats stats() {
    return stats;
  }
}
