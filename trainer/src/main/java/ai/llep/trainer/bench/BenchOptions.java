package ai.llep.trainer.bench;

import ai.djl.ndarray.types.DataType;
import ai.llep.dispatch.ExpertGemm;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.PlannerOptions;
import ai.llep.trainer.routing.RoutingScenario;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings of the bench command (config section {@code bench}, the {@code llep} knobs and {@code
 * seed}).
 *
 * @param layer the layer as published (or custom), before scaling
 * @param scale D and F are divided by this to fit memory (1 = as published)
 * @param tokensPerRank T, tokens on every rank
 * @param scenarios routings, each timed under every mode
 * @param modes dispatch modes; with {@code ep} among them the others get a speedup over it
 * @param pass forward, or forward and backward
 * @param dataType float16, float32 or bfloat16
 * @param warmup untimed runs before the timed ones, per scenario and mode
 * @param runs timed runs, per scenario and mode (the median is reported)
 * @param output folder for {@code bench.json} and {@code bench.png}
 * @param trace whether to write a profiler trace of one extra run per scenario and mode
 * @param batchRows largest expert, in rows, that runs in a batched GEMM chain with its stacked
 *     neighbours (0: every expert alone)
 * @param gemm how the experts' GEMMs run: auto (grouped in bfloat16 where the GPU has the kernel),
 *     batched or grouped
 * @param planner the LLEP knobs
 * @param tolerance largest relative difference from EP allowed in outputs and gradients
 * @param seed seed of weights and tokens
 */
public record BenchOptions(
    LayerShape layer,
    double scale,
    int tokensPerRank,
    List<RoutingScenario> scenarios,
    List<DispatchMode> modes,
    BenchPass pass,
    DataType dataType,
    int warmup,
    int runs,
    Path output,
    boolean trace,
    long batchRows,
    ExpertGemm gemm,
    PlannerOptions planner,
    double tolerance,
    long seed) {
  public BenchOptions {
    scenarios = List.copyOf(scenarios);
    modes = List.copyOf(modes);
    if (layer == null || pass == null || output == null || planner == null || gemm == null) {
      throw new IllegalArgumentException(
          "bench needs a layer, a pass, an output folder, a gemm mode and knobs");
    }
    layer.scaled(scale);
    if (tokensPerRank < 1) {
      throw new IllegalArgumentException(
          "bench.tokens-per-rank must be >= 1, got " + tokensPerRank);
    }
    if (scenarios.isEmpty() || modes.isEmpty()) {
      throw new IllegalArgumentException("bench.scenarios and bench.modes must list at least one");
    }
    if (modes.stream().distinct().count() != modes.size()) {
      throw new IllegalArgumentException("bench.modes lists a mode twice: " + modes);
    }
    if (dataType != DataType.FLOAT16
        && dataType != DataType.FLOAT32
        && dataType != DataType.BFLOAT16) {
      throw new IllegalArgumentException(
          "bench.dtype must be float16, float32 or bfloat16, got " + dataType);
    }
    if (warmup < 0 || runs < 1) {
      throw new IllegalArgumentException(
          "bench.warmup must be >= 0 and bench.runs >= 1, got " + warmup + " and " + runs);
    }
    if (batchRows < 0) {
      throw new IllegalArgumentException("bench.batch-rows must be >= 0, got " + batchRows);
    }
    if (!(tolerance > 0)) {
      throw new IllegalArgumentException("bench.tolerance must be > 0, got " + tolerance);
    }
  }

  /** The layer that runs: {@link #layer} with D and F divided by {@link #scale}. */
  public LayerShape shape() {
    return layer.scaled(scale);
  }
}
