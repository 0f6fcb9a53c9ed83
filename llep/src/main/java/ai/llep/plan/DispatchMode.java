package ai.llep.plan;

/** Which plan the dispatcher asks for. */
public enum DispatchMode {
  /** Standard expert parallelism: every expert on its native rank, always. */
  EP,
  /** The least-loaded assignment, always. */
  LLEP,
  /**
   * The least-loaded assignment when the per-rank imbalance ratio reaches lambda, standard EP below
   * it (paper Alg. 4).
   */
  AUTO
}
