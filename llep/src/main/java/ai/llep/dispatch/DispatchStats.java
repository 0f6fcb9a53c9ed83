package ai.llep.dispatch;

/**
 * What one MoE layer's dispatch did, for logs and tracking: per-rank loads before (standard EP) and
 * after planning, slots computed away from their expert's native rank, weights moved, and how many
 * of the experts this rank computed ran inside batched GEMM chains or in the grouped call.
 *
 * @param weightBytesMoved bytes of expert tensors the layer's exchange moved over all ranks
 * @param frozenBytesMoved the part of them that was frozen tensors (a LoRA expert's base weights)
 * @param cacheHits transfers whose frozen tensors the helper had kept from an earlier step ({@link
 *     FrozenWeightCache}), so that only the trainable ones moved
 */
public record DispatchStats(
    long[] loadsBefore,
    long[] loadsAfter,
    long spilledSlots,
    int transfers,
    long weightBytesMoved,
    int batchedExperts,
    int groupedExperts,
    long[] localExpertLoads,
    long frozenBytesMoved,
    int cacheHits) {
  /** Stats of an exchange without frozen tensors. */
  public DispatchStats(
      long[] loadsBefore,
      long[] loadsAfter,
      long spilledSlots,
      int transfers,
      long weightBytesMoved,
      int batchedExperts,
      int groupedExperts,
      long[] localExpertLoads) {
    this(
        loadsBefore,
        loadsAfter,
        spilledSlots,
        transfers,
        weightBytesMoved,
        batchedExperts,
        groupedExperts,
        localExpertLoads,
        0,
        0);
  }

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
