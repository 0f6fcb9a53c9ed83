package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;

/** The MoE layer's output for this rank's tokens, and what the dispatch did. */
public record DispatchResult(NDArray output_TD, PendingStats pending) {
  /** What the dispatch did (may copy the layer's expert counts from the device, once). */
  public DispatchStats stats() {
    return pending.get();
  }
}
