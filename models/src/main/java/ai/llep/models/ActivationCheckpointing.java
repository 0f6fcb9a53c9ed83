package ai.llep.models;

/**
 * What a training forward keeps for the backward, and what the backward recomputes instead
 * (activation checkpointing). Losses and gradients are the same in every mode; the modes trade
 * memory for compute.
 */
public enum ActivationCheckpointing {
  /** Every activation autograd needs is kept from the forward. */
  NONE,
  /**
   * Each MoE layer's expert computation is recomputed in the backward from the rows the experts
   * received (kept anyway for the dispatch's backward): the expert GEMM chains' intermediates, the
   * largest per-token state of an MoE layer, are never kept. No extra communication.
   */
  MOE,
  /**
   * Each decoder layer keeps only its input and output; the backward runs the layer again with
   * autograd (attention, router, dispatch, experts and combine, with the routing the forward chose)
   * and back-propagates through it. The dispatch and combine run again on every rank, in the same
   * order, so a full recompute costs about one more forward with its communication.
   */
  FULL
}
