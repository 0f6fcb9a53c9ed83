package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import ai.llep.models.ActivationCheckpointing;
import ai.llep.models.LossOutput;
import ai.llep.models.MoeTransformer;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import ai.llep.trainer.data.EvalBatches;
import ai.llep.trainer.data.PackedSequence;
import java.util.List;

/**
 * The eval loss of the model as it stands: every rank runs its share of the eval set forward only
 * (no autograd, no tape edges, no optimizer), through the same model, dispatch and precision as
 * training, and the ranks sum their token losses and token counts in one all-reduce, so the loss is
 * exactly the mean over every loss-bearing token of the eval set. Collective.
 */
final class Evaluation {
  private final Communicator comm;
  private final NDManager manager;
  private final MoeTransformer model;
  private final EvalBatches batches;

  Evaluation(Communicator comm, NDManager manager, MoeTransformer model, EvalBatches batches) {
    this.comm = comm;
    this.manager = manager;
    this.model = model;
    this.batches = batches;
  }

  EvalResult run(long step) {
    long start = System.nanoTime();
    double lossSum = 0;
    long tokens = 0;
    for (List<PackedSequence> rows : batches.batches()) {
      try (NDManager scope = manager.newSubManager();
          GradMode off = GradMode.disabled()) {
        LossOutput out =
            model.loss(
                DistributedTape.inference(comm),
                scope,
                TrainingRun.toBatch(rows),
                ActivationCheckpointing.NONE);
        lossSum += out.loss().sum().toType(DataType.FLOAT64, false).getDouble();
        tokens += out.loss().count();
      }
    }
    double[] total;
    try (NDManager scope = manager.newSubManager();
        NDArray mine = scope.create(new double[] {lossSum, tokens});
        NDArray summed = comm.allReduce(mine, ReduceOp.SUM)) {
      total = summed.toType(DataType.FLOAT64, false).toDoubleArray();
    }
    long globalTokens = (long) total[1];
    return new EvalResult(
        step,
        total[0] / Math.max(globalTokens, 1),
        globalTokens,
        (System.nanoTime() - start) / 1e9);
  }
}
