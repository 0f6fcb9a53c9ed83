package ai.llep.trainer.routing;

import ai.llep.plan.SyntheticRouting;
import java.util.SplittableRandom;

/**
 * Expert choices of each token for a {@link RoutingScenario}: {@code tokens * topK} expert ids in
 * slot order (token-major). Deterministic in (seed, rank).
 */
public final class RoutingGenerator {
  private final int experts;
  private final int topK;

  public RoutingGenerator(int experts, int topK) {
    if (topK < 1 || topK > experts) {
      throw new IllegalArgumentException(
          "top-k must be in [1, experts=" + experts + "], got " + topK);
    }
    this.experts = experts;
    this.topK = topK;
  }

  public long[] route(RoutingScenario scenario, int tokens, int rank, long seed) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + rank);
    long[] slots = new long[tokens * topK];
    switch (scenario) {
      case RoutingScenario.Balanced b -> {
        for (int t = 0; t < tokens; t++) {
          distinct(random, uniform(), slots, t, 0);
        }
      }
      case RoutingScenario.Hot h -> hot(h, tokens, slots);
      case RoutingScenario.Zipf z -> {
        double[] weights = zipfWeights(z.exponent(), random);
        for (int t = 0; t < tokens; t++) {
          distinct(random, weights, slots, t, 0);
        }
      }
      case RoutingScenario.Single s -> {
        if (s.expert() >= experts) {
          throw new IllegalArgumentException(
              "single:" + s.expert() + " names an expert outside [0, " + experts + ")");
        }
        for (int t = 0; t < tokens; t++) {
          slots[t * topK] = s.expert();
          distinct(random, uniform(), slots, t, 1);
        }
      }
    }
    return slots;
  }

  /** The paper's generator, shared with the planner's golden-vector tests. */
  private void hot(RoutingScenario.Hot h, int tokens, long[] slots) {
    int hotExperts = Math.min(h.hotExperts(), experts);
    int[] generated = SyntheticRouting.hotColdSlots(experts, tokens, topK, h.percent(), hotExperts);
    for (int s = 0; s < slots.length; s++) {
      slots[s] = generated[s];
    }
  }

  private double[] uniform() {
    double[] weights = new double[experts];
    java.util.Arrays.fill(weights, 1.0);
    return weights;
  }

  /** Zipf popularity over a random expert order (each rank draws its own order). */
  private double[] zipfWeights(double exponent, SplittableRandom random) {
    int[] order = new int[experts];
    for (int i = 0; i < experts; i++) {
      order[i] = i;
    }
    for (int i = experts - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    double[] weights = new double[experts];
    for (int rank = 0; rank < experts; rank++) {
      weights[order[rank]] = 1.0 / Math.pow(rank + 1, exponent);
    }
    return weights;
  }

  /**
   * Fills slots [from, topK) of token t with distinct experts drawn by weight, avoiding earlier
   * ones.
   */
  private void distinct(SplittableRandom random, double[] weights, long[] slots, int t, int from) {
    double[] remaining = weights.clone();
    for (int k = 0; k < from; k++) {
      remaining[(int) slots[t * topK + k]] = 0;
    }
    for (int k = from; k < topK; k++) {
      double total = 0;
      for (double w : remaining) {
        total += w;
      }
      double pick = random.nextDouble() * total;
      int chosen = experts - 1;
      for (int e = 0; e < experts; e++) {
        pick -= remaining[e];
        if (pick < 0 && remaining[e] > 0) {
          chosen = e;
          break;
        }
      }
      while (remaining[chosen] == 0) {
        chosen--;
      }
      slots[t * topK + k] = chosen;
      remaining[chosen] = 0;
    }
  }
}
