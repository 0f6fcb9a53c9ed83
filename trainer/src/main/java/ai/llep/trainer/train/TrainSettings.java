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
 * @param eval when the run evaluates on {@code data}'s eval set, and whether it stops early
 */
public record TrainSettings(
    LoopOptions loop,
    DataOptions data,
    OptimOptions optim,
    CheckpointOptions checkpoint,
    long seed,
    SelfKill selfKill,
    ProfileOptions profile,
    EvalOptions eval) {
  public TrainSettings {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(loop, "loop");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(optim, "optim");
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(selfKill, "selfKill");
    Objects.requireNonNull(eval, "eval");
    if (!data.eval().present() && (eval.every() > 0 || eval.earlyStopping())) {
      throw new IllegalArgumentException(
          (eval.earlyStopping()
                  ? "train.early-stopping.patience=" + eval.patience()
                  : "train.eval-every=" + eval.every())
              + " needs an eval set: name files with data.eval-files, or hold out a fraction of"
              + " data.files with data.eval-fraction (e.g. 0.05)");
    }
  }

  /** Settings that profile no step and evaluate only after the last (given an eval set). */
  public TrainSettings(
      LoopOptions loop,
      DataOptions data,
      OptimOptions optim,
      CheckpointOptions checkpoint,
      long seed,
      SelfKill selfKill) {
    this(loop, data, optim, checkpoint, seed, selfKill, ProfileOptions.OFF);
  }

  /** Settings that evaluate only after the last step (given an eval set). */
  public TrainSettings(
      LoopOptions loop,
      DataOptions data,
      OptimOptions optim,
      CheckpointOptions checkpoint,
      long seed,
      SelfKill selfKill,
      ProfileOptions profile) {
    this(loop, data, optim, checkpoint, seed, selfKill, profile, EvalOptions.DEFAULT);
  }
}
