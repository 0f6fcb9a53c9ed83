package ai.llep.trainer.optim;

import java.util.Objects;

/**
 * The {@code optim} section: AdamW's hyperparameters, the learning-rate schedule and clipping.
 *
 * @param lr peak learning rate, > 0
 * @param minLrRatio final rate as a fraction of the peak
 * @param warmupSteps steps of linear warmup
 * @param decay the schedule's shape after the warmup
 * @param adamw betas, eps and weight decay
 * @param gradClip global gradient-norm limit; 0 = off
 * @param zero the ZeRO stage: 0, every rank holds the optimizer state of all its parameters; 1, the
 *     replicated parameters' state is split between the ranks ({@link ShardedAdamW})
 */
public record OptimOptions(
    double lr,
    double minLrRatio,
    int warmupSteps,
    LrSchedule.Decay decay,
    AdamWConfig adamw,
    double gradClip,
    int zero) {
  public OptimOptions {
    Objects.requireNonNull(decay, "decay");
    Objects.requireNonNull(adamw, "adamw");
    if (!(lr > 0)) {
      throw new IllegalArgumentException("optim.lr must be > 0, got " + lr);
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("optim.warmup-steps must be >= 0, got " + warmupSteps);
    }
    if (!(gradClip >= 0)) {
      throw new IllegalArgumentException("optim.grad-clip must be >= 0 (0 = off), got " + gradClip);
    }
    if (zero != 0 && zero != 1) {
      throw new IllegalArgumentException(
          "optim.zero must be 0 (off) or 1 (shard the replicated parameters' optimizer state), got "
              + zero);
    }
  }

  /** Without ZeRO ({@code optim.zero=0}). */
  public OptimOptions(
      double lr,
      double minLrRatio,
      int warmupSteps,
      LrSchedule.Decay decay,
      AdamWConfig adamw,
      double gradClip) {
    this(lr, minLrRatio, warmupSteps, decay, adamw, gradClip, 0);
  }

  /** These options with {@code optim.zero=zero}. */
  public OptimOptions withZero(int zero) {
    return new OptimOptions(lr, minLrRatio, warmupSteps, decay, adamw, gradClip, zero);
  }

  /** The schedule of a run of {@code maxSteps} steps (the warmup shortened to fit). */
  public LrSchedule schedule(int maxSteps) {
    return new LrSchedule(lr, Math.min(warmupSteps, maxSteps), maxSteps, minLrRatio, decay);
  }
}
