package ai.llep.trainer.optim;

/**
 * Hyperparameters of {@link AdamW} other than the learning rate, which the schedule supplies at
 * every step.
 *
 * @param beta1 decay of the first moment, in [0, 1)
 * @param beta2 decay of the second moment, in [0, 1)
 * @param eps added to the root of the second moment, > 0
 * @param weightDecay decoupled decay per unit learning rate, >= 0
 */
public record AdamWConfig(double beta1, double beta2, double eps, double weightDecay) {
  public AdamWConfig {
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("adamw beta1 must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("adamw beta2 must be in [0, 1), got " + beta2);
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("adamw eps must be > 0, got " + eps);
    }
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("adamw weight decay must be >= 0, got " + weightDecay);
    }
  }

  /** The defaults of {@code torch.optim.AdamW}: betas (0.9, 0.999), eps 1e-8, decay 0.01. */
  public static AdamWConfig defaults() {
    return new AdamWConfig(0.9, 0.999, 1e-8, 0.01);
  }
}
