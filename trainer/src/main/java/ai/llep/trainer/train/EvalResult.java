package ai.llep.trainer.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One evaluation, identical on every rank: the mean loss over every loss-bearing token of the eval
 * set on all ranks.
 *
 * @param lossTokens tokens the loss covers, over all ranks
 * @param seconds how long the evaluation took on this rank
 */
record EvalResult(long step, double loss, long lossTokens, double seconds) {
  static final String LOSS = "eval_loss";
  static final String PERPLEXITY = "eval_perplexity";

  double perplexity() {
    return Math.exp(loss);
  }

  /** The metrics tracked at the step. */
  Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(LOSS, loss);
    m.put(PERPLEXITY, perplexity());
    return m;
  }

  /** What the progress line of the step adds. */
  String progressPart(boolean best) {
    return String.format(
        Locale.ROOT,
        " | eval loss %.4f | eval ppl %s | eval %.2f s%s",
        loss,
        perplexity(loss),
        seconds,
        best ? " (best)" : "");
  }

  /** Perplexity, {@code exp(loss)}, with four significant digits. */
  static String perplexity(double loss) {
    return String.format(Locale.ROOT, "%.4g", Math.exp(loss));
  }
}
