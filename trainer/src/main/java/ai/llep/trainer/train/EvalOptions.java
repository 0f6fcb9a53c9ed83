package ai.llep.trainer.train;

/**
 * When the run evaluates and whether it stops early ({@code train.eval-every}, {@code
 * train.early-stopping}).
 *
 * @param every evaluate every this many steps, and after the last; 0 = only after the last
 * @param patience evaluations in a row without an improvement of more than {@code minDelta} after
 *     which training stops; 0 = never stops early
 * @param minDelta how much lower than the best so far an eval loss must be to count as an
 *     improvement for {@code patience}
 */
public record EvalOptions(int every, int patience, double minDelta) {
  /** Evaluating only after the last step (when there is an eval set), never stopping early. */
  public static final EvalOptions DEFAULT = new EvalOptions(0, 0, 0);

  public EvalOptions {
    if (every < 0) {
      throw new IllegalArgumentException(
          "train.eval-every must be >= 0 (0 = evaluate only after the last step), got " + every);
    }
    if (patience < 0) {
      throw new IllegalArgumentException(
          "train.early-stopping.patience must be >= 0 (0 = off), got " + patience);
    }
    if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
      throw new IllegalArgumentException(
          "train.early-stopping.min-delta must be a number >= 0, got " + minDelta);
    }
    if (patience > 0 && every == 0) {
      throw new IllegalArgumentException(
          "train.early-stopping.patience="
              + patience
              + " needs train.eval-every > 0: with evaluations only after the last step there is"
              + " nothing to stop early");
    }
  }

  /** Whether the run evaluates after {@code step} of {@code maxSteps}. */
  boolean due(long step, long maxSteps) {
    return step == maxSteps || (every > 0 && step % every == 0);
  }

  boolean earlyStopping() {
    return patience > 0;
  }
}
