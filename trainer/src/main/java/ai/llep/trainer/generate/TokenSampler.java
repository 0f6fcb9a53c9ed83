package ai.llep.trainer.generate;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from one row's logits on the host, in double precision: the argmax, or a
 * draw by inverse transform from the distribution {@link Sampling} describes.
 */
final class TokenSampler {
  private TokenSampler() {}

  /** The next token of a row: greedy, or drawn with {@code random} (one uniform per draw). */
  static int next(float[] logits, Sampling sampling, RandomGenerator random) {
    if (sampling.greedy()) {
      return argmax(logits);
    }
    double[] p = distribution(logits, sampling);
    double u = random.nextDouble();
    double cumulative = 0;
    int last = -1;
    for (int i = 0; i < p.length; i++) {
      if (p[i] > 0) {
        cumulative += p[i];
        last = i;
        if (u < cumulative) {
          return i;
        }
      }
    }
    return last;
  }

  /** The first index of the largest logit; NaN logits are never chosen. */
  static int argmax(float[] logits) {
    int best = -1;
    for (int i = 0; i < logits.length; i++) {
      if (!Float.isNaN(logits[i]) && (best < 0 || logits[i] > logits[best])) {
        best = i;
      }
    }
    if (best < 0) {
      throw new IllegalStateException("every logit is NaN: the model's output is not finite");
    }
    return best;
  }

  /**
   * The probabilities a sampled token is drawn from (zero outside the top-k and top-p sets); they
   * sum to one.
   */
  static double[] distribution(float[] logits, Sampling sampling) {
    int n = logits.length;
    double[] scaled = new double[n];
    for (int i = 0; i < n; i++) {
      if (Float.isNaN(logits[i])) {
        throw new IllegalStateException("logit " + i + " is NaN: the model's output is not finite");
      }
      scaled[i] = logits[i] / sampling.temperature();
    }
    boolean[] kept = new boolean[n];
    Arrays.fill(kept, true);
    if (sampling.topK() > 0 && sampling.topK() < n) {
      double[] sorted = scaled.clone();
      Arrays.sort(sorted);
      double threshold = sorted[n - sampling.topK()];
      for (int i = 0; i < n; i++) {
        kept[i] = scaled[i] >= threshold;
      }
    }
    double[] p = softmax(scaled, kept);
    if (sampling.topP() < 1) {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
      double before = 0;
      for (int index : order) {
        if (before >= sampling.topP()) {
          kept[index] = false;
        }
        before += p[index];
      }
      return softmax(scaled, kept);
    }
    return p;
  }

  private static double[] softmax(double[] scaled, boolean[] kept) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < scaled.length; i++) {
      if (kept[i]) {
        max = Math.max(max, scaled[i]);
      }
    }
    double[] p = new double[scaled.length];
    double sum = 0;
    for (int i = 0; i < scaled.length; i++) {
      if (kept[i]) {
        p[i] = Math.exp(scaled[i] - max);
        sum += p[i];
      }
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }
}
