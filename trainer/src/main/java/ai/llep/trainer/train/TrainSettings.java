package ai.llep.trainer.train;

import ai.llep.models.ActivationCheckpointing;
import ai.llep.trainer.data.DataOptions;
import ai.llep.trainer.optim.OptimOptions;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything the training loop needs from the config, bound once at start-up: one record per config
 * section, each validated where it is built.
 *
 * @param seed seed of every random draw: weights of tiny-moe, data order
 * @param profile which steps are profiled ({@code profile})
 * @param eval when the run evaluates on {@code data}'s eval set, and whether it stops early
 * @param lora {@code train.method} and the LoRA adapters
 */
public record TrainSettings(
    LoopOptions loop,
    DataOptions data,
    OptimOptions optim,
    CheckpointOptions checkpoint,
    long seed,
    SelfKill selfKill,
    ProfileOptions profile,
    EvalOptions eval,
    LoraOptions lora) {
  public TrainSettings {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(loop, "loop");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(optim, "optim");
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(selfKill, "selfKill");
    Objects.requireNonNull(eval, "eval");
    Objects.requireNonNull(lora, "lora");
    if (!data.eval().present() && (eval.every() > 0 || eval.earlyStopping())) {
      throw new IllegalArgumentException(
          (eval.earlyStopping()
                  ? "train.early-stopping.patience=" + eval.patience()
                  : "train.eval-every=" + eval.every())
              + " needs an eval set: name files with data.eval-files, or hold out a fraction of"
              + " data.files with data.eval-fraction (e.g. 0.05)");
    }
    if (lora.lora() && !loop.frozen().isEmpty()) {
      throw new IllegalArgumentException(
          "train.freeze applies to train.method=full; with train.method=lora the base is frozen"
              + " and only the adapters train (set train.freeze=none)");
    }
    if (lora.lora() && optim.zero() > 0) {
      throw new IllegalArgumentException(
          "optim.zero="
              + optim.zero()
              + " applies to train.method=full; with train.method=lora only the adapters train and"
              + " their optimizer state is small (set optim.zero=0)");
    }
    if (lora.lora()
        && lora.spec().dropout() > 0
        && loop.activationCheckpointing() != ActivationCheckpointing.NONE) {
      throw new IllegalArgumentException(
          "lora.dropout > 0 with train.activation-checkpointing="
              + loop.activationCheckpointing().name().toLowerCase(Locale.ROOT)
              + ": a recomputed layer would draw other dropout masks than its forward; set"
              + " lora.dropout=0 or train.activation-checkpointing=none");
    }
  }

  /**
   * Full fine-tuning that profiles no step and evaluates only after the last (given an eval set).
   */
  public TrainSettings(
      LoopOptions loop,
      DataOptions data,
      OptimOptions optim,
      CheckpointOptions checkpoint,
      long seed,
      SelfKill selfKill) {
    this(loop, data, optim, checkpoint, seed, selfKill, ProfileOptions.OFF);
  }

  /** Full fine-tuning that evaluates only after the last step (given an eval set). */
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

  /** Full fine-tuning. */
  public TrainSettings(
      LoopOptions loop,
      DataOptions data,
      OptimOptions optim,
      CheckpointOptions checkpoint,
      long seed,
      SelfKill selfKill,
      ProfileOptions profile,
      EvalOptions eval) {
    this(loop, data, optim, checkpoint, seed, selfKill, profile, eval, LoraOptions.FULL);
  }

  /** These settings with {@code lora}. */
  public TrainSettings withLora(LoraOptions lora) {
    return new TrainSettings(loop, data, optim, checkpoint, seed, selfKill, profile, eval, lora);
  }

  /** These settings with {@code loop} replaced. */
  public TrainSettings withLoop(LoopOptions loop) {
    return new TrainSettings(loop, data, optim, checkpoint, seed, selfKill, profile, eval, lora);
  }

  /** These settings with {@code data} replaced. */
  public TrainSettings withData(DataOptions data) {
    return new TrainSettings(loop, data, optim, checkpoint, seed, selfKill, profile, eval, lora);
  }

  /** These settings with {@code optim} replaced. */
  public TrainSettings withOptim(OptimOptions optim) {
    return new TrainSettings(loop, data, optim, checkpoint, seed, selfKill, profile, eval, lora);
  }

  /** These settings with {@code checkpoint} replaced. */
  public TrainSettings withCheckpoint(CheckpointOptions checkpoint) {
    return new TrainSettings(loop, data, optim, checkpoint, seed, selfKill, profile, eval, lora);
  }

  /** These settings with {@code seed} replaced. */
  public TrainSettings withSeed(long seed) {
    return new TrainSettings(loop, data, optim, checkpoint, seed, selfKill, profile, eval, lora);
  }

  /** These settings with {@code profile} replaced. */
  public TrainSettings withProfile(ProfileOptions profile) {
    return new TrainSettings(loop, data, optim, checkpoint, seed, selfKill, profile, eval, lora);
  }

  /** These settings with {@code eval} replaced. */
  public TrainSettings withEval(EvalOptions eval) {
    return new TrainSettings(loop, data, optim, checkpoint, seed, selfKill, profile, eval, lora);
  }
}
