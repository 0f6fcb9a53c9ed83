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
 */
public record OptimOptions(
    double lr,
    double minLrRatio,
    int warmupSteps,
    LrSchedule.Decay decay,
    AdamWConfig adamw,
    double gradClip) {
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
  }

  /** The schedule of a run of {@code maxSteps} steps (the warmup shortened to fit). */
  public LrSchedule schedule(int maxSteps) {
    return new LrSchedule(lr, Math.min(warmupSteps, maxSteps), maxSteps, minLrRatio, decay);
  }
}
