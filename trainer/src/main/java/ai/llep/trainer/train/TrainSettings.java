package ai.llep.trainer.train;

import ai.llep.trainer.data.DataOptions;
import ai.llep.trainer.optim.OptimOptions;
import java.util.Objects;

/**
 * Everything the training loop needs from the config, bound once at start-up: one record per config
 * section, each validated where it is built.
 *
 * @param seed seed of every random draw: weights of tiny-moe, data order
 */
public record TrainSettings(
    LoopOptions loop,
    DataOptions data,
    OptimOptions optim,
    CheckpointOptions checkpoint,
    long seed,
    SelfKill selfKill) {
  public TrainSettings {
    Objects.requireNonNull(loop, "loop");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(optim, "optim");
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(selfKill, "selfKill");
  }
}
