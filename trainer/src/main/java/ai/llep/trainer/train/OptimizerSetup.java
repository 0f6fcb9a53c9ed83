package ai.llep.trainer.train;

import ai.llep.comm.Communicator;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.trainer.optim.AdamW;
import ai.llep.trainer.optim.OptimOptions;
import ai.llep.trainer.optim.OptimParam;
import ai.llep.trainer.optim.Optimizer;
import ai.llep.trainer.optim.ShardedAdamW;
import java.util.List;

/**
 * The optimizer of a run: AdamW over the trainable parameters, with {@code optim.zero=1} the
 * replicated ones' state sharded between the ranks ({@link ShardedAdamW}); replicated and sharded
 * as {@link GradientExchange} splits them (experts sharded, every other kind replicated).
 */
final class OptimizerSetup {
  private OptimizerSetup() {}

  static Optimizer build(List<Parameter> trainable, OptimOptions options, Communicator comm) {
    if (options.zero() == 0) {
      return new AdamW(trainable.stream().map(OptimizerSetup::param).toList(), options.adamw());
    }
    return new ShardedAdamW(
        trainable.stream()
            .filter(p -> p.kind() != ParameterKind.EXPERT)
            .map(OptimizerSetup::param)
            .toList(),
        trainable.stream()
            .filter(p -> p.kind() == ParameterKind.EXPERT)
            .map(OptimizerSetup::param)
            .toList(),
        options.adamw(),
        comm);
  }

  private static OptimParam param(Parameter p) {
    return OptimParam.of(p.name(), p.array());
  }
}
