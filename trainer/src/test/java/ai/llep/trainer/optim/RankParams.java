package ai.llep.trainer.optim;

import static ai.llep.trainer.optim.ShardingTestParams.REPLICATED_SHAPES;
import static ai.llep.trainer.optim.ShardingTestParams.concat;
import static ai.llep.trainer.optim.ShardingTestParams.params;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * One rank's parameters for a sharded optimizer test: the replicated ones (the same on every rank),
 * one expert of the rank's own values, and independent copies of all of them (replicated first,
 * then the expert) for the reference {@link AdamW}.
 */
record RankParams(
    List<OptimParam> replicated, List<OptimParam> sharded, List<OptimParam> reference) {

  static RankParams create(NDManager manager, int rank) {
    List<OptimParam> replicated = params(manager, "r", REPLICATED_SHAPES, 0);
    List<OptimParam> sharded = params(manager, "e", List.of(new Shape(2, 3)), rank);
    List<OptimParam> reference = new ArrayList<>();
    for (OptimParam p : concat(replicated, sharded)) {
      reference.add(new OptimParam(p.name(), p.array().duplicate(), p.weightDecay()));
    }
    return new RankParams(replicated, sharded, reference);
  }
}
