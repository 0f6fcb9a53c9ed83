package ai.llep.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import java.util.Arrays;

/** Per-run times made global: each run's time is the slowest rank's. */
final class RankTimes {
  private RankTimes() {}

  /** The element-wise maximum of {@code local} over all ranks (one small all-reduce). */
  static double[] maxOverRanks(Communicator comm, NDManager manager, double[] local) {
    try (NDManager scope = manager.newSubManager();
        NDArray all = comm.allReduce(scope.create(local), ReduceOp.MAX)) {
      return all.toDoubleArray();
    }
  }

  static double median(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("the median of no values");
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
