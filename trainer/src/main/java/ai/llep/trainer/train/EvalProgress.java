package ai.llep.trainer.train;

import java.util.Locale;

/**
 * What the evaluations so far decided: the best (lowest) eval loss and its step, whose checkpoint
 * {@code checkpoint.dir/best} names, and how many evaluations in a row have not improved on the
 * best before them by more than {@code train.early-stopping.min-delta}. Every checkpoint's trainer
 * state holds it, so a resumed run keeps knowing the best so far and how patient it has been.
 *
 * @param bestStep the step of the lowest eval loss (the first such step on a tie)
 * @param sinceImprovement evaluations since the last one that improved by more than min-delta
 * @param evaluations evaluations so far, all launches together
 */
record EvalProgress(long bestStep, double bestLoss, int sinceImprovement, int evaluations) {
  EvalProgress {
    if (bestStep < 1 || !Double.isFinite(bestLoss) || sinceImprovement < 0 || evaluations < 1) {
      throw new IllegalArgumentException(
          "eval progress: best step "
              + bestStep
              + ", best loss "
              + bestLoss
              + ", "
              + sinceImprovement
              + " since improvement, "
              + evaluations
              + " evaluations");
    }
  }

  /** After the first evaluation: the best so far, and an improvement. */
  static EvalProgress first(long step, double loss) {
    return new EvalProgress(step, loss, 0, 1);
  }

  /** After an evaluation at {@code step} that gave {@code loss} (finite). */
  EvalProgress after(long step, double loss, double minDelta) {
    boolean best = loss < bestLoss;
    boolean improved = loss < bestLoss - minDelta;
    return new EvalProgress(
        best ? step : bestStep,
        best ? loss : bestLoss,
        improved ? 0 : sinceImprovement + 1,
        evaluations + 1);
  }

  /** Whether {@code patience} evaluations in a row have not improved (patience 0: never). */
  boolean exhausted(int patience) {
    return patience > 0 && sinceImprovement >= patience;
  }

  /** The best so far, in words. */
  String best() {
    return String.format(
        Locale.ROOT,
        "the best eval loss, %.4f (perplexity %s), was at step %d",
        bestLoss,
        EvalResult.perplexity(bestLoss),
        bestStep);
  }
}
