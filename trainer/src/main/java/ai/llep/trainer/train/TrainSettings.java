package ai.llep.trainer.train;

import ai.llep.trainer.data.DataOptions;
import ai.llep.trainer.optim.OptimOptions;
import java.util.Objects;

/**
 * Everything the training loop needs from the config, bound once at start-up: one record per config
 * section, each validated where it is built.
 *
 * @param seed seed of every random draw: weights of tiny-moe, data order
 * @param profile which steps are profiled ({@code profile})
 */
public record TrainSettings(
    LoopOptions loop,
    DataOptions data,
    OptimOptions optim,
    CheckpointOptions checkpoint,
    long seed,
    SelfKill selfKill,
    ProfileOptions profile) {
  public TrainSettings {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(loop, "loop");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(optim, "optim");
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(selfKill, "selfKill");
  }

  /** Settings that profile no step. */
  public TrainSettings(
      LoopOptions loop,
      DataOptions data,
      OptimOptions optim,
      CheckpointOptions checkpoint,
      long seed,
      SelfKill selfKill) {
    this(loop, data, optim, checkpoint, seed, selfKill, ProfileOptions.OFF);
  }
}
