package ai.llep.models.moe;

import java.util.Arrays;

/**
 * Host-side top-k over router probabilities: for each token the K largest, in descending order,
 * ties going to the lower expert id. This is {@code torch.topk} for distinct values.
 */
final class TopK {
  private TopK() {}

  /**
   * @param probs_TE row-major [tokens, experts] probabilities
   * @return the chosen experts, token-major: slot t * K + k holds token t's k-th choice
   */
  static long[] select(double[] probs_TE, int tokens, int experts, int topK) {
    if (probs_TE.length != (long) tokens * experts || topK < 1 || topK > experts) {
      throw new IllegalArgumentException(
          "top-"
              + topK
              + " of "
              + probs_TE.length
              + " probabilities over "
              + tokens
              + " tokens and "
              + experts
              + " experts");
    }
    long[] experts_S = new long[tokens * topK];
    boolean[] taken = new boolean[experts];
    for (int t = 0; t < tokens; t++) {
      Arrays.fill(taken, false);
      int row = t * experts;
      for (int k = 0; k < topK; k++) {
        int best = -1;
        for (int e = 0; e < experts; e++) {
          double p = probs_TE[row + e];
          if (Double.isNaN(p)) {
            throw new IllegalStateException(
                "router probability of token " + t + " for expert " + e + " is NaN");
          }
          if (!taken[e] && (best < 0 || p > probs_TE[row + best])) {
            best = e;
          }
        }
        taken[best] = true;
        experts_S[t * topK + k] = best;
      }
    }
    return experts_S;
  }
}
