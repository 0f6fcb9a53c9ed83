package ai.llep.trainer.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The evaluations of one launch: when one is due ({@code train.eval-every}, and after the last
 * step), what they decided so far ({@link EvalProgress}: the best step, whose checkpoint must be
 * kept, and early stopping's count, both continued from a resumed checkpoint), and what they add to
 * the end of the run's output.
 */
final class Evaluations {
  private final Optional<Evaluation> evaluation;
  private final EvalOptions options;
  private Optional<EvalProgress> progress;
  private int thisLaunch;

  /**
   * @param evaluation empty when the run has no eval set
   * @param resumed what the evaluations before this launch decided
   */
  Evaluations(
      Optional<Evaluation> evaluation, EvalOptions options, Optional<EvalProgress> resumed) {
    this.evaluation = evaluation;
    this.options = options;
    this.progress = resumed;
  }

  /**
   * Evaluates after {@code step} when due; collective (every rank decides alike).
   *
   * @throws NonFiniteStep when the eval loss is NaN or infinite
   */
  Optional<EvalResult> after(long step, long maxSteps) {
    if (evaluation.isEmpty() || !options.due(step, maxSteps)) {
      return Optional.empty();
    }
    EvalResult result = evaluation.get().run(step);
    if (!Double.isFinite(result.loss())) {
      throw new NonFiniteStep(
          "step " + step + ": the eval loss is " + result.loss() + " (the training loss is not)");
    }
    progress =
        Optional.of(
            progress
                .map(p -> p.after(step, result.loss(), options.minDelta()))
                .orElseGet(() -> EvalProgress.first(step, result.loss())));
    thisLaunch++;
    return Optional.of(result);
  }

  /** Whether {@code step} holds the lowest eval loss so far (its checkpoint must be saved). */
  boolean bestAt(long step) {
    return progress.map(p -> p.bestStep() == step).orElse(false);
  }

  /** Whether early stopping's patience has run out. */
  boolean exhausted() {
    return progress.map(p -> p.exhausted(options.patience())).orElse(false);
  }

  Optional<EvalProgress> progress() {
    return progress;
  }

  /**
   * The lines the run ends with: the best eval loss and where its checkpoint is kept, and why the
   * run stopped early if it did.
   */
  List<String> summary(Path bestLink, boolean stoppedEarly, long lastStep) {
    List<String> lines = new ArrayList<>();
    if (progress.isEmpty()) {
      return lines;
    }
    EvalProgress p = progress.get();
    lines.add(
        String.format(
            Locale.ROOT,
            "eval: %s; its checkpoint is kept as %s (%d evaluation%s%s)",
            p.best(),
            bestLink,
            p.evaluations(),
            p.evaluations() == 1 ? "" : "s",
            thisLaunch == p.evaluations() ? "" : ", " + thisLaunch + " in this launch"));
    if (stoppedEarly) {
      lines.add(
          String.format(
              Locale.ROOT,
              "early stopping after step %d: the eval loss has not improved on the best by more"
                  + " than train.early-stopping.min-delta=%s in %d evaluation%s"
                  + " (train.early-stopping.patience=%d)",
              lastStep,
              options.minDelta(),
              p.sinceImprovement(),
              p.sinceImprovement() == 1 ? "" : "s",
              options.patience()));
    }
    return lines;
  }
}
