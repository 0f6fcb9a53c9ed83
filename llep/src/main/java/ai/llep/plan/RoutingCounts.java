package ai.llep.plan;

/** The validated P x N count matrix reduced to what planning needs. */
final class RoutingCounts {
  final ExpertPlacement placement;
  final long[] expertCounts;
  final long[] epLoads;
  final long total;
  private final Imbalance imbalance;

  private RoutingCounts(ExpertPlacement placement, long[] expertCounts, long[] epLoads, long total) {
    this.placement = placement;
    this.expertCounts = expertCounts;
    this.epLoads = epLoads;
    this.total = total;
    this.imbalance = Imbalance.of(epLoads, expertCounts, total);
  }

  static RoutingCounts of(long[][] counts, ExpertPlacement placement) {
    if (placement == null) {
      throw new IllegalArgumentException("placement must not be null");
    }
    long[] expertCounts = columnSums(counts, placement);
    int perRank = placement.expertsPerRank();
    long[] epLoads = new long[placement.ranks()];
    long total = 0;
    for (int e = 0; e < expertCounts.length; e++) {
      epLoads[e / perRank] += expertCounts[e];
      total = addChecked(total, expertCounts[e]);
    }
    return new RoutingCounts(placement, expertCounts, epLoads, total);
  }

  /** Column sums c[e] of a P x N matrix, checking its shape and signs against the placement. */
  static long[] columnSums(long[][] counts, ExpertPlacement placement) {
    if (counts == null) {
      throw new IllegalArgumentException("counts must not be null");
    }
    int ranks = placement.ranks();
    int experts = placement.experts();
    if (counts.length != ranks) {
      throw new IllegalArgumentException(
          "counts must have " + ranks + " rows (one per rank), got " + counts.length);
    }
    long[] sums = new long[experts];
    for (int r = 0; r < ranks; r++) {
      long[] row = counts[r];
      if (row == null || row.length != experts) {
        throw new IllegalArgumentException(
            "counts row "
                + r
                + " must have "
                + experts
                + " columns (one per expert), got "
                + (row == null ? "null" : row.length));
      }
      for (int e = 0; e < experts; e++) {
        if (row[e] < 0) {
          throw new IllegalArgumentException(
              "counts[" + r + "][" + e + "] must be >= 0, got " + row[e]);
        }
        sums[e] = addChecked(sums[e], row[e]);
      }
    }
    return sums;
  }

  Imbalance imbalance() {
    return imbalance;
  }

  private static long addChecked(long a, long b) {
    long sum = a + b;
    if (sum < 0) {
      throw new IllegalArgumentException("slot counts overflow a long");
    }
    return sum;
  }
}
