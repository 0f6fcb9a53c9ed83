package ai.llep.models.moe;

import ai.llep.dispatch.DispatchStats;

/**
 * What one MoE layer's routing did on this rank in one forward pass.
 *
 * @param layer the decoder layer
 * @param localExpertLoad_E slots this rank routed to each expert; the global load vector is its sum
 *     over ranks (one all-reduce, left to whoever reports it, so that a forward pass pays no extra
 *     collective per layer)
 * @param dispatch per-rank loads before and after planning, spilled slots and moved weights
 */
public record RoutingStats(int layer, long[] localExpertLoad_E, DispatchStats dispatch) {}
