package ai.llep.trainer.verify;

import ai.djl.ndarray.types.DataType;
import ai.llep.models.experts.ExpertKind;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.PlannerOptions;
import ai.llep.trainer.routing.RoutingScenario;
import java.util.List;

/**
 * Settings of the verify command (config section {@code verify}, the {@code llep} knobs and {@code
 * seed}). Every combination of scenario, top-k and mode is one case.
 *
 * @param expertFunction what the experts compute
 * @param bias whether SwiGLU's projections carry biases (gpt-oss's always do)
 */
public record VerifyOptions(
    int experts,
    List<Integer> topKs,
    List<Integer> tokensPerRank,
    int hidden,
    int ffn,
    List<RoutingScenario> scenarios,
    DataType dataType,
    ExpertKind expertFunction,
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
    if (expertFunction == null) {
      throw new IllegalArgumentException("verify.expert-function must be swiglu or gpt-oss");
    }
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
    if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64) {
      throw new IllegalArgumentException(
          "verify.dtype must be float32 or float64, got " + dataType.name().toLowerCase());
    }
    if (!(tolerance > 0)) {
      throw new IllegalArgumentException("verify.tolerance must be > 0, got " + tolerance);
    }
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
