package ai.llep.plan;

import java.util.Arrays;
import java.util.List;

/** Standard expert parallelism (paper Alg. 1): every expert wholly on its native rank. */
public final class StandardEpPlanner implements Planner {
  private final PlannerOptions options;

  /** {@code options} only set the capacity the plan reports. */
  public StandardEpPlanner(PlannerOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    this.options = options;
  }

  public StandardEpPlanner() {
    this(PlannerOptions.defaults());
  }

  @Override
  public Plan plan(long[][] counts, ExpertPlacement placement) {
    return build(RoutingCounts.of(counts, placement), options, DispatchMode.EP);
  }

  static Plan build(RoutingCounts counts, PlannerOptions options, DispatchMode mode) {
    ExpertPlacement placement = counts.placement;
    long[] c = counts.expertCounts;
    @SuppressWarnings("unchecked")
    List<Assignment>[] assignments = new List[c.length];
    Arrays.fill(assignments, List.of());
    for (int e = 0; e < c.length; e++) {
      if (c[e] > 0) {
        assignments[e] = List.of(new Assignment(placement.nativeRank(e), 0, c[e]));
      }
    }
    return new Plan(
        placement,
        mode,
        false,
        options.capacity(counts.total, placement.ranks()),
        c,
        List.of(assignments),
        List.of(),
        counts.epLoads,
        counts.epLoads,
        0,
        counts.imbalance());
  }
}
