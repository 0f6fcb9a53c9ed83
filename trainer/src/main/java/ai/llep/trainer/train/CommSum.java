package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import ai.llep.trainer.data.RankSum;

/** {@link RankSum} as one all-reduce over the run's ranks (exact for sums below 2^53). */
record CommSum(Communicator comm, NDManager manager) implements RankSum {
  @Override
  public long[] sum(long[] mine) {
    double[] values = new double[mine.length];
    for (int i = 0; i < mine.length; i++) {
      values[i] = mine[i];
    }
    double[] total;
    try (NDManager scope = manager.newSubManager();
        NDArray summed = comm.allReduce(scope.create(values), ReduceOp.SUM)) {
      total = summed.toDoubleArray();
    }
    long[] out = new long[total.length];
    for (int i = 0; i < total.length; i++) {
      out[i] = Math.round(total[i]);
    }
    return out;
  }
}
