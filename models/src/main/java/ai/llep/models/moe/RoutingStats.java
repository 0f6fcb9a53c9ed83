package ai.llep.models.moe;

import ai.djl.ndarray.NDManager;
import ai.llep.dispatch.DispatchStats;
import ai.llep.dispatch.PendingStats;

/**
 * What one MoE layer's routing did on this rank in one forward pass. The statistics may still be on
 * the device ({@link PendingStats}): read them while the forward pass's arrays are open.
 */
public final class RoutingStats {
  private final int layer;
  private final PendingStats pending;

  /**
   * @param layer the decoder layer
   * @param pending per-rank loads before and after planning, spilled slots, moved weights and this
   *     rank's slots per expert
   */
  public RoutingStats(int layer, PendingStats pending) {
    this.layer = layer;
    this.pending = pending;
  }

  /** Keeps statistics still on the device readable for as long as {@code owner} is open. */
  public void retainIn(NDManager owner) {
    pending.retainIn(owner);
  }

  public int layer() {
    return layer;
  }

  /**
   * Slots this rank routed to each expert; the global load vector is its sum over ranks (one
   * all-reduce, left to whoever reports it, so that a forward pass pays no extra collective per
   * layer).
   */
  public long[] localExpertLoad_E() {
    return pending.get().localExpertLoads();
  }

  /** Per-rank loads before and after planning, spilled slots and moved weights. */
  public DispatchStats dispatch() {
    return pending.get();
  }
}
