package ai.llep.plan;

/**
 * The least-loaded assignment as the authors' published code computes it, to check golden vectors
 * against. It differs from {@link LeastLoadedPlanner} in four ways:
 *
 * <ul>
 *   <li>capacity {@code int(alpha * (T // P))}, so P * cap may fall short of T;
 *   <li>no rule keeps a remainder under m native: as in the paper's Alg. 3 it goes to a helper that
 *       has room for all of it, or is forced;
 *   <li>when a whole expert spills (Case 3), a forced remainder goes to the rank that was least
 *       loaded when the spill began, not the one least loaded now (Case 2 uses the current one);
 *   <li>chunks are never merged, and every non-native chunk is its own weight transfer.
 * </ul>
 *
 * <p>The golden vectors do not tell whether the stale fallback also applies in Case 2 or whether
 * the helper search itself uses a stale order; this class takes the paper's Alg. 3 for both.
 */
public final class ReferencePlanner implements Planner {
  private final PlannerOptions options;

  public ReferencePlanner(PlannerOptions options) {
    this.options =
        LeastLoadedPlanner.requireVariant(
            options, PlannerOptions.Variant.REFERENCE, "ReferencePlanner");
  }

  @Override
  public Plan plan(long[][] counts, ExpertPlacement placement) {
    return LeastLoadedAssignment.plan(
        RoutingCounts.of(counts, placement), options, DispatchMode.LLEP);
  }
}
