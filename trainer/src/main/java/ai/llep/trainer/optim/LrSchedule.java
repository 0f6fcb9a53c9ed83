package ai.llep.trainer.optim;

import java.util.Objects;

/**
 * The learning rate at each step: a linear warmup from {@code peakLr / warmupSteps} to {@code
 * peakLr} over the first {@code warmupSteps} steps, then a decay to {@code minLrRatio * peakLr} at
 * step {@code totalSteps}, where it stays. Steps count from 0; step {@code s < warmupSteps} gets
 * {@code peakLr * (s + 1) / warmupSteps}, so no step has a zero rate.
 *
 * @param peakLr the rate at the end of the warmup, > 0
 * @param warmupSteps steps of linear warmup, >= 0
 * @param totalSteps the step where the decay ends, >= {@code warmupSteps}
 * @param minLrRatio the final rate as a fraction of the peak, in [0, 1]
 * @param decay the shape of the decay after the warmup
 */
public record LrSchedule(
    double peakLr, long warmupSteps, long totalSteps, double minLrRatio, Decay decay) {
  /** How the rate falls from the peak to the minimum after the warmup. */
  public enum Decay {
    /** Half a cosine wave: {@code min + (peak - min) * (1 + cos(pi * progress)) / 2}. */
    COSINE,
    /** A straight line: {@code peak - (peak - min) * progress}. */
    LINEAR,
    /** No decay: the peak rate until the end. */
    CONSTANT
  }

  public LrSchedule {
    Objects.requireNonNull(decay, "decay");
    if (!(peakLr > 0) || Double.isInfinite(peakLr)) {
      throw new IllegalArgumentException(
          "peak learning rate must be finite and > 0, got " + peakLr);
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warmup steps must be >= 0, got " + warmupSteps);
    }
    if (totalSteps < warmupSteps) {
      throw new IllegalArgumentException(
          "total steps (" + totalSteps + ") must be >= warmup steps (" + warmupSteps + ")");
    }
    if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
      throw new IllegalArgumentException(
          "min learning-rate ratio must be in [0, 1], got " + minLrRatio);
    }
  }

  /** The same rate at every step. */
  public static LrSchedule constant(double lr) {
    return new LrSchedule(lr, 0, 0, 1, Decay.CONSTANT);
  }

  /** Linear warmup, then cosine decay to {@code minLrRatio * peakLr} at {@code totalSteps}. */
  public static LrSchedule cosine(
      double peakLr, long warmupSteps, long totalSteps, double minLrRatio) {
    return new LrSchedule(peakLr, warmupSteps, totalSteps, minLrRatio, Decay.COSINE);
  }

  /** Linear warmup, then linear decay to {@code minLrRatio * peakLr} at {@code totalSteps}. */
  public static LrSchedule linear(
      double peakLr, long warmupSteps, long totalSteps, double minLrRatio) {
    return new LrSchedule(peakLr, warmupSteps, totalSteps, minLrRatio, Decay.LINEAR);
  }

  /** The learning rate of step {@code step} (counted from 0). */
  public double at(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    if (step < warmupSteps) {
      return peakLr * (step + 1) / warmupSteps;
    }
    if (decay == Decay.CONSTANT) {
      return peakLr;
    }
    double minLr = peakLr * minLrRatio;
    if (step >= totalSteps) {
      return minLr;
    }
    double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
    return switch (decay) {
      case COSINE -> minLr + (peakLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
      case LINEAR -> peakLr - (peakLr - minLr) * progress;
      case CONSTANT -> peakLr;
    };
  }
}
