package ai.llep.plan;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Synthetic top-K routing for tests and benchmarks. Slots are token-major: slot {@code t * K + k}
 * is token t's k-th choice.
 */
public final class SyntheticRouting {
  private SyntheticRouting() {}

  /**
   * The paper's "R:H" generator on one rank: the first {@code floor(R * tokens / 100)} tokens are
   * hot and send slot k to expert {@code k mod H}; cold token i (i counts all of the rank's tokens,
   * hot ones included) sends slot k to expert {@code H + (i + k) mod (N - H)}. Flooring and this i
   * are what golden vectors GV4 and GV6 of LLEP.md need. With H > K only K hot experts get load;
   * with H < K a hot token picks one expert several times (kept for comparison with the paper).
   */
  public static int[] hotColdSlots(
      int experts, int tokens, int topK, int hotPercent, int hotExperts) {
    checkHotCold(experts, tokens, topK, hotPercent, hotExperts);
    int hotTokens = (int) ((long) hotPercent * tokens / 100);
    int cold = experts - hotExperts;
    int[] slots = new int[tokens * topK];
    for (int t = 0; t < tokens; t++) {
      for (int k = 0; k < topK; k++) {
        slots[t * topK + k] =
            t < hotTokens ? k % hotExperts : hotExperts + (int) (((long) t + k) % cold);
      }
    }
    return slots;
  }

  /** The P x N count matrix of {@link #hotColdSlots} on every rank (all ranks alike). */
  public static long[][] hotColdCounts(
      int ranks, int experts, int tokensPerRank, int topK, int hotPercent, int hotExperts) {
    if (ranks < 1) {
      throw new IllegalArgumentException("ranks must be >= 1, got " + ranks);
    }
    long[] row =
        countSlots(experts, hotColdSlots(experts, tokensPerRank, topK, hotPercent, hotExperts));
    long[][] counts = new long[ranks][];
    for (int r = 0; r < ranks; r++) {
      counts[r] = row.clone();
    }
    return counts;
  }

  /**
   * A more realistic P x N count matrix: each token picks K distinct experts with Zipf
   * probabilities {@code 1 / j^s} over a popularity ranking that one random permutation (shared by
   * all ranks) makes; every rank draws its own tokens. Deterministic for a given seed.
   */
  public static long[][] zipfCounts(
      int ranks, int experts, int tokensPerRank, int topK, double exponent, long seed) {
    if (ranks < 1 || experts < 1 || tokensPerRank < 0 || topK < 1 || topK > experts) {
      throw new IllegalArgumentException(
          "zipf routing needs ranks >= 1, experts >= 1, tokens >= 0, 1 <= topK <= experts, got "
              + ranks
              + ", "
              + experts
              + ", "
              + tokensPerRank
              + ", "
              + topK);
    }
    if (!(exponent > 0 && exponent <= 4)) {
      throw new IllegalArgumentException("zipf exponent must be in (0, 4], got " + exponent);
    }
    SplittableRandom root = new SplittableRandom(seed);
    int[] byPopularity = shuffledIdentity(experts, root.split());
    double[] cdf = zipfCdf(experts, exponent);
    long[][] counts = new long[ranks][experts];
    int[] chosen = new int[topK];
    for (int r = 0; r < ranks; r++) {
      SplittableRandom random = root.split();
      for (int t = 0; t < tokensPerRank; t++) {
        for (int k = 0; k < topK; k++) {
          chosen[k] = drawDistinct(cdf, random, chosen, k);
          counts[r][byPopularity[chosen[k]]]++;
        }
      }
    }
    return counts;
  }

  static long[] countSlots(int experts, int[] slots) {
    long[] counts = new long[experts];
    for (int expert : slots) {
      counts[expert]++;
    }
    return counts;
  }

  private static int drawDistinct(double[] cdf, SplittableRandom random, int[] chosen, int k) {
    while (true) {
      int pos = Arrays.binarySearch(cdf, random.nextDouble());
      int candidate = Math.min(pos >= 0 ? pos + 1 : -pos - 1, cdf.length - 1);
      boolean fresh = true;
      for (int i = 0; i < k && fresh; i++) {
        fresh = chosen[i] != candidate;
      }
      if (fresh) {
        return candidate;
      }
    }
  }

  private static double[] zipfCdf(int experts, double exponent) {
    double[] cdf = new double[experts];
    double sum = 0;
    for (int j = 0; j < experts; j++) {
      sum += Math.pow(j + 1, -exponent);
      cdf[j] = sum;
    }
    for (int j = 0; j < experts; j++) {
      cdf[j] /= sum;
    }
    return cdf;
  }

  private static int[] shuffledIdentity(int n, SplittableRandom random) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  private static void checkHotCold(
      int experts, int tokens, int topK, int hotPercent, int hotExperts) {
    if (tokens < 0 || topK < 1 || (long) tokens * topK > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "need tokens >= 0, topK >= 1 and tokens * topK within an int, got "
              + tokens
              + " tokens, topK "
              + topK);
    }
    if (hotPercent < 0 || hotPercent > 100) {
      throw new IllegalArgumentException("hot percent must be in [0, 100], got " + hotPercent);
    }
    if (hotExperts < 1 || hotExperts >= experts) {
      throw new IllegalArgumentException(
          "hot experts must be in [1, " + experts + "), got " + hotExperts);
    }
  }
}
