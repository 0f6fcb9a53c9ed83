package ai.llep.plan;

/** The validated P x N count matrix reduced to what planning needs. */
final class RoutingCounts {
  final ExpertPlacement placement;
  final long[] expertCounts;
  final long[] epLoads;
  final long total;
  private final Imbalance imbalance;

  private RoutingCounts(
      ExpertPlacement placement, long[] expertCounts, long[] epLoads, long total) {
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
    long allBits = 0;
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
      // Branch-free so that the JIT vectorises it; signs and overflow are checked once per row.
      long rowBits = 0;
      for (int e = 0; e < experts; e++) {
        sums[e] += row[e];
        rowBits |= row[e];
      }
      if (rowBits < 0) {
        throw negativeCount(r, row);
      }
      allBits |= rowBits;
    }
    // Every count is at most allBits, so no column sum can overflow below this bound.
    if (allBits > Long.MAX_VALUE / ranks) {
      for (int e = 0; e < experts; e++) {
        long sum = 0;
        for (long[] row : counts) {
          sum = addChecked(sum, row[e]);
        }
      }
    }
    return sums;
  }

  private static IllegalArgumentException negativeCount(int r, long[] row) {
    int e = 0;
    while (row[e] >= 0) {
      e++;
    }
    return new IllegalArgumentException("counts[" + r + "][" + e + "] must be >= 0, got " + row[e]);
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
