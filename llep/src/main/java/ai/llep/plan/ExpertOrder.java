package ai.llep.plan;

import java.util.Arrays;

/** Orders experts by decreasing slot count, ties to the lower id, without boxing. */
final class ExpertOrder {
  private ExpertOrder() {}

  /** Experts with a non-zero count, most loaded first; zero-count experts are left out. */
  static int[] byDecreasingCount(long[] counts) {
    int n = counts.length;
    int idBits = 32 - Integer.numberOfLeadingZeros(Math.max(n - 1, 0));
    long limit = Long.MAX_VALUE >>> idBits;
    long mask = (1L << idBits) - 1;
    long[] keys = new long[n];
    int nonZero = 0;
    for (int e = 0; e < n; e++) {
      if (counts[e] > limit) {
        throw new IllegalArgumentException(
            "count of expert " + e + " is " + counts[e] + ", planning needs it <= " + limit);
      }
      if (counts[e] > 0) {
        // Ascending keys put the lowest count first and, among equal counts, the highest id.
        keys[nonZero++] = (counts[e] << idBits) | (mask - e);
      }
    }
    Arrays.sort(keys, 0, nonZero);
    int[] order = new int[nonZero];
    for (int i = 0; i < nonZero; i++) {
      order[i] = (int) (mask - (keys[nonZero - 1 - i] & mask));
    }
    return order;
  }
}
