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
 * as {@link GradientExchange} splits them (experts sharded, every other kind replicated). With
 * {@code train.precision=bf16} and {@code optim.zero=1} the replicated parameters' float32 master
 * weights are sharded too, and the model's replicated parameters become bfloat16 ({@link
 * ShardedAdamW#withBf16Masters}): build it after the weights are loaded (the masters are taken from
 * them) and before any backward.
 */
final class OptimizerSetup {
  private OptimizerSetup() {}

  /**
   * @param precision the run's mode on its device (never {@code AUTO})
   */
  static Optimizer build(
      List<Parameter> trainable, OptimOptions options, Precision precision, Communicator comm) {
    if (options.zero() == 0) {
      return new AdamW(trainable.stream().map(OptimizerSetup::param).toList(), options.adamw());
    }
    List<OptimParam> replicated =
        trainable.stream()
            .filter(p -> p.kind() != ParameterKind.EXPERT)
            .map(OptimizerSetup::param)
            .toList();
    List<OptimParam> sharded =
        trainable.stream()
            .filter(p -> p.kind() == ParameterKind.EXPERT)
            .map(OptimizerSetup::param)
            .toList();
    return precision == Precision.BF16
        ? ShardedAdamW.withBf16Masters(replicated, sharded, options.adamw(), comm)
        : new ShardedAdamW(replicated, sharded, options.adamw(), comm);
  }

  private static OptimParam param(Parameter p) {
    return OptimParam.of(p.name(), p.array());
  }
}
