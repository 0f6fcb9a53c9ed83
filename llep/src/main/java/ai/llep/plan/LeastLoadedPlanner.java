package ai.llep.plan;

/**
 * The least-loaded assignment as this project specifies it: capacity {@code ceil(alpha * T /
 * P)}, remainders under m kept on the native rank, contiguous chunks on one rank merged, one weight
 * transfer per (expert, helper) pair. Applied unconditionally; {@link Planner#create} adds the
 * lambda switch.
 */
public final class LeastLoadedPlanner implements Planner {
  private final PlannerOptions options;

  public LeastLoadedPlanner(PlannerOptions options) {
    this.options = requireVariant(options, PlannerOptions.Variant.DEFAULT, "LeastLoadedPlanner");
  }

  @Override
  public Plan plan(long[][] counts, ExpertPlacement placement) {
    return LeastLoadedAssignment.plan(
        RoutingCounts.of(counts, placement), options, DispatchMode.LLEP);
  }

  static PlannerOptions requireVariant(
      PlannerOptions options, PlannerOptions.Variant variant, String planner) {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    if (options.variant() != variant) {
      throw new IllegalArgumentException(
          planner + " runs variant " + variant + ", options ask for " + options.variant());
    }
    return options;
  }
}
