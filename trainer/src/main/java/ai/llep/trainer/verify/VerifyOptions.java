package ai.llep.trainer.verify;

import ai.djl.ndarray.types.DataType;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.PlannerOptions;
import ai.llep.trainer.routing.RoutingScenario;
import java.util.List;

/**
 * Settings of the verify command (config section {@code verify}, the {@code llep} knobs and {@code
 * seed}). Every combination of scenario, top-k and mode is one case.
 *
 * <p>{@link #defaultTolerance}: 1e-5 for float32 and float64. For bfloat16 the layer's inputs and
 * weights are bfloat16 and the reference computes in float64 from exactly those values, so the
 * error is what the layer's own roundings to bfloat16 add: each rounding errs by at most 2^-9
 * relative (8 significant bits), and an output passes through about six of them on its way (expert
 * input, the two projections, SiLU times up, the down projection, the routing weight and the
 * combine), the gradients through a similar chain back. Each error is measured against the largest
 * reference magnitude, so their sum stays near 6 * 2^-9 = 1.2e-2: measured up to 1.5e-2 over every
 * routing, top-k 1 to 4, with and without biases, on 1 to 4 ranks (hidden 32 and 64). The bound,
 * 3e-2, leaves a factor of two; float32's errors are about 1e-6.
 */
public record VerifyOptions(
    int experts,
    List<Integer> topKs,
    List<Integer> tokensPerRank,
    int hidden,
    int ffn,
    List<RoutingScenario> scenarios,
    DataType dataType,
    boolean bias,
    boolean router,
    List<DispatchMode> modes,
    double tolerance,
    PlannerOptions planner,
    long seed) {
  public VerifyOptions {
    topKs = List.copyOf(topKs);
    tokensPerRank = List.copyOf(tokensPerRank);
    scenarios = List.copyOf(scenarios);
    modes = List.copyOf(modes);
    positive("verify.experts", experts);
    positive("verify.hidden", hidden);
    positive("verify.ffn", ffn);
    nonEmpty("verify.top-k", topKs);
    nonEmpty("verify.tokens-per-rank", tokensPerRank);
    nonEmpty("verify.imbalance", scenarios);
    nonEmpty("verify.modes", modes);
    for (int k : topKs) {
      if (k < 1 || k > experts) {
        throw new IllegalArgumentException(
            "verify.top-k values must be in [1, verify.experts=" + experts + "], got " + k);
      }
    }
    for (int t : tokensPerRank) {
      if (t < 0) {
        throw new IllegalArgumentException("verify.tokens-per-rank values must be >= 0, got " + t);
      }
    }
    if (dataType != DataType.FLOAT32
        && dataType != DataType.FLOAT64
        && dataType != DataType.BFLOAT16) {
      throw new IllegalArgumentException(
          "verify.dtype must be float32, float64 or bfloat16, got "
              + dataType.name().toLowerCase());
    }
    if (!(tolerance > 0)) {
      throw new IllegalArgumentException("verify.tolerance must be > 0, got " + tolerance);
    }
  }

  /** The bound {@code verify.tolerance = auto} stands for, for {@code type}. */
  public static double defaultTolerance(DataType type) {
    return type == DataType.BFLOAT16 ? 3e-2 : 1e-5;
  }

  /** Tokens on {@code rank}: the list names each rank's count, or one count for all. */
  public int tokensOn(int rank, int worldSize) {
    if (tokensPerRank.size() == 1) {
      return tokensPerRank.getFirst();
    }
    if (tokensPerRank.size() != worldSize) {
      throw new IllegalArgumentException(
          "verify.tokens-per-rank has "
              + tokensPerRank.size()
              + " values; give one, or one per rank ("
              + worldSize
              + ")");
    }
    return tokensPerRank.get(rank);
  }

  private static void positive(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be >= 1, got " + value);
    }
  }

  private static void nonEmpty(String key, List<?> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException(key + " must list at least one value");
    }
  }
}
