package ai.llep.plan;

import java.util.List;

/** Small builders shared by the planner tests. */
final class Fixtures {
  private Fixtures() {}

  static final PlannerOptions.Variant DEFAULT = PlannerOptions.Variant.DEFAULT;
  static final PlannerOptions.Variant REFERENCE = PlannerOptions.Variant.REFERENCE;

  /** A P x N matrix with all of {@code global} on rank 0 (plans depend on column sums only). */
  static long[][] onRankZero(int ranks, long... global) {
    long[][] counts = new long[ranks][global.length];
    counts[0] = global.clone();
    return counts;
  }

  static Plan llep(
      PlannerOptions.Variant variant, double alpha, int m, long[][] counts, int experts) {
    PlannerOptions options = new PlannerOptions(alpha, m, 1.3, variant);
    return Planner.leastLoaded(options).plan(counts, new ExpertPlacement(experts, counts.length));
  }

  static Assignment a(int rank, long start, long end) {
    return new Assignment(rank, start, end);
  }

  static WeightTransfer t(int expert, int owner, int helper) {
    return new WeightTransfer(expert, owner, helper);
  }

  static List<Assignment> whole(int rank, long count) {
    return count == 0 ? List.of() : List.of(a(rank, 0, count));
  }

  static long sum(long[] values) {
    long s = 0;
    for (long v : values) {
      s += v;
    }
    return s;
  }
}
