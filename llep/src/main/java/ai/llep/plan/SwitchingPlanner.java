package ai.llep.plan;

/**
 * {@link DispatchMode#AUTO} (paper Alg. 4): the least-loaded assignment when the per-rank imbalance
 * ratio reaches lambda, standard EP below it.
 */
final class SwitchingPlanner implements Planner {
  private final PlannerOptions options;

  SwitchingPlanner(PlannerOptions options) {
    this.options = options;
  }

  @Override
  public Plan plan(long[][] counts, ExpertPlacement placement) {
    RoutingCounts routing = RoutingCounts.of(counts, placement);
    if (routing.imbalance().perRank() >= options.lambda()) {
      return LeastLoadedAssignment.plan(routing, options, DispatchMode.AUTO);
    }
    return StandardEpPlanner.build(routing, options, DispatchMode.AUTO);
  }
}
