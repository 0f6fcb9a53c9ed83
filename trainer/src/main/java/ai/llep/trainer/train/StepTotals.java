package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;

/**
 * The step's numbers that need every rank, in one all-reduce at the end of the step: the loss sum,
 * the processed tokens, the stop votes and each rank's peak memory (a rank writes its own slot of a
 * zero vector, so the sum carries every rank's value). Folding the stop vote into this reduction
 * makes every rank see the same decision at the same step for no extra collective.
 *
 * @param lossSum summed token losses over all ranks
 * @param processedTokens tokens that are not padding, over all ranks
 * @param stop whether any rank asked to stop
 * @param peakMemoryBytes the largest peak memory of any rank
 */
record StepTotals(double lossSum, long processedTokens, boolean stop, long peakMemoryBytes) {
  private static final int FIXED = 3;

  /** Collective: every rank calls it once per step with its own numbers. */
  static StepTotals reduce(
      Communicator comm,
      NDManager manager,
      double localLossSum,
      long localProcessed,
      boolean localStop,
      long localPeakBytes) {
    double[] mine = new double[FIXED + comm.worldSize()];
    mine[0] = localLossSum;
    mine[1] = localProcessed;
    mine[2] = localStop ? 1 : 0;
    // Exact in a double up to 2^53 bytes.
    mine[FIXED + comm.rank()] = localPeakBytes;
    double[] sum;
    try (NDManager scope = manager.newSubManager();
        NDArray total = comm.allReduce(scope.create(mine), ReduceOp.SUM)) {
      sum = total.toDoubleArray();
    }
    long peak = 0;
    for (int r = 0; r < comm.worldSize(); r++) {
      peak = Math.max(peak, (long) sum[FIXED + r]);
    }
    return new StepTotals(sum[0], Math.round(sum[1]), sum[2] > 0, peak);
  }
}
