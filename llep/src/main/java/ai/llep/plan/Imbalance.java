package ai.llep.plan;

/**
 * How imbalanced the routing is under standard EP: max over mean, per rank (native loads; the ratio
 * the lambda switch uses, as the authors' code does) and per expert (the paper's text). Both are
 * 1.0 when no slot is routed.
 */
public record Imbalance(double perRank, double perExpert) {
  public Imbalance {
    if (!(perRank >= 1.0) || !(perExpert >= 1.0)) {
      throw new IllegalArgumentException(
          "imbalance ratios are max/mean and must be >= 1, got per rank "
              + perRank
              + ", per expert "
              + perExpert);
    }
  }

  static Imbalance of(long[] epLoads, long[] expertCounts, long total) {
    if (total == 0) {
      return new Imbalance(1.0, 1.0);
    }
    return new Imbalance(ratio(epLoads, total), ratio(expertCounts, total));
  }

  private static double ratio(long[] values, long total) {
    long max = 0;
    for (long v : values) {
      max = Math.max(max, v);
    }
    return (double) max * values.length / total;
  }
}
