package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import ai.llep.tape.Scalars;

/**
 * A causal-LM loss as the sum of per-token cross-entropies over {@code count} predicted tokens, so
 * that data-parallel ranks combine exactly: the global mean is {@code sum_r / sum over ranks of
 * count}, and backward from each rank's share followed by a sum of gradients over ranks gives the
 * gradient of that mean.
 *
 * @param sum scalar, in the graph
 * @param count tokens whose label was not the ignore index
 */
public record LossSum(NDArray sum, long count) {
  public LossSum {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
  }

  /** This rank's mean; 0 (as {@code sum}, in the graph) when no token counts. */
  public NDArray mean() {
    return Scalars.divOnce(sum, Math.max(count, 1));
  }

  /** The number of counted tokens over all ranks (one small all-reduce). */
  public long globalCount(Communicator comm) {
    try (NDArray local = sum.getManager().create(new long[] {count});
        NDArray total = comm.allReduce(local, ReduceOp.SUM)) {
      return total.toLongArray()[0];
    }
  }

  /**
   * This rank's share of the global mean, {@code sum / globalCount}: summing it over ranks gives
   * the mean over every rank's tokens. All ranks must call it.
   */
  public NDArray globalMean(Communicator comm) {
    return Scalars.divOnce(sum, Math.max(globalCount(comm), 1));
  }
}
