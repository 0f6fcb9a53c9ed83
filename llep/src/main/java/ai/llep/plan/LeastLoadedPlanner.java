package ai.llep.plan;

/**
 * The least-loaded assignment as this project specifies it: capacity {@code ceil(alpha * T / P)},
 * remainders under m kept on the native rank, contiguous chunks on one rank merged, one weight
 * transfer per (expert, helper) pair. Applied unconditionally; {@link Planner#create} adds the
 * lambda switch.
 *
 * <p>What it guarantees (alpha >= 1): every chunk a helper computes has at least m slots; every
 * rank's load stays within the capacity unless the plan reports {@link Plan#forcedChunks()} > 0 (a
 * remainder under m kept native, or a remainder no other rank had m slots of room for); with m = 1
 * neither can happen, so the maximum load is at most the capacity.
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
