package ai.llep.dispatch;

/**
 * What one MoE layer's dispatch did, for logs and tracking: per-rank loads before (standard EP) and
 * after planning, slots computed away from their expert's native rank, weights moved, and how many
 * of the experts this rank computed ran inside batched GEMM chains or in the grouped call.
 */
public record DispatchStats(
    long[] loadsBefore,
    long[] loadsAfter,
    long spilledSlots,
    int transfers,
    long weightBytesMoved,
    int batchedExperts,
    int groupedExperts,
    long[] localExpertLoads) {
  public double imbalanceBefore() {
    return imbalance(loadsBefore);
  }

  public double imbalanceAfter() {
    return imbalance(loadsAfter);
  }

  /** Max over mean of per-rank loads; 1.0 when nothing was routed. */
  static double imbalance(long[] loads) {
    long max = 0;
    long total = 0;
    for (long load : loads) {
      max = Math.max(max, load);
      total += load;
    }
    return total == 0 ? 1.0 : max * (double) loads.length / total;
  }
}
