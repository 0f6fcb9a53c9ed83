package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;

/** The MoE layer's output for this rank's tokens, and what the dispatch did. */
public record DispatchResult(NDArray output_TD, DispatchStats stats) {}
