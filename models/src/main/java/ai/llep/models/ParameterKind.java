package ai.llep.models;

/** How a parameter is held across ranks, which decides how its gradient is combined. */
public enum ParameterKind {
  /**
   * Replicated on every rank (embeddings, attention, norms, dense MLPs, LM head): each rank's
   * gradient covers its own tokens, so gradients are summed over ranks.
   */
  DENSE,
  /** A router weight: replicated like {@link #DENSE}, kept apart so it can be frozen alone. */
  ROUTER,
  /**
   * An expert weight, held only by its native rank: the dispatcher's backward already brings every
   * rank's contribution home, so its gradient is complete and must not be all-reduced.
   */
  EXPERT
}
