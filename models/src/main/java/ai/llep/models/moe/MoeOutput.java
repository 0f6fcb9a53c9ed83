package ai.llep.models.moe;

import ai.djl.ndarray.NDArray;

/** The MoE block's output for this rank's tokens, [T, D], and its routing statistics. */
public record MoeOutput(NDArray output_TD, RoutingStats stats) {}
