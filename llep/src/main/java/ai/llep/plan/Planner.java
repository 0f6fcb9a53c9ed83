package ai.llep.plan;

/**
 * Computes the plan of one MoE layer from the all-gathered P x N count matrix ({@code
 * counts[r][e]}: slots rank r routes to expert e). Deterministic: equal inputs give equal plans on
 * every rank, ties going to the lower rank and the lower expert. Planners hold no mutable state and
 * may be shared between threads.
 */
public interface Planner {

  Plan plan(long[][] counts, ExpertPlacement placement);

  /**
   * The planner for {@code mode}: standard EP, the least-loaded assignment of {@code options}'
   * variant, or the lambda switch between the two.
   */
  static Planner create(DispatchMode mode, PlannerOptions options) {
    if (mode == null || options == null) {
      throw new IllegalArgumentException("mode and options must not be null");
    }
    return switch (mode) {
      case EP -> new StandardEpPlanner(options);
      case LLEP -> leastLoaded(options);
      case AUTO -> new SwitchingPlanner(options);
    };
  }

  /** The least-loaded assignment of {@code options}' variant, applied unconditionally. */
  static Planner leastLoaded(PlannerOptions options) {
    return switch (options.variant()) {
      case DEFAULT -> new LeastLoadedPlanner(options);
      case REFERENCE -> new ReferencePlanner(options);
    };
  }
}
