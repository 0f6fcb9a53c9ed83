package ai.llep.trainer.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.dispatch.ExpertWeights;
import java.util.SplittableRandom;

/**
 * The random MoE layer and inputs of one verify case. Each rank makes only what it owns (its
 * tokens, its experts); the router is replicated. Values are drawn on the host from the seed, so
 * they do not depend on the engine's random generator.
 */
final class LayerFixture {
  private static final int ROUTER = -1;
  private static final int TOKENS = -2;
  private static final int UPSTREAM = -3;

  private final long seed;
  private final int hidden;
  private final int ffn;
  private final int experts;
  private final DataType dataType;

  LayerFixture(long seed, int experts, int hidden, int ffn, DataType dataType) {
    this.seed = seed;
    this.experts = experts;
    this.hidden = hidden;
    this.ffn = ffn;
    this.dataType = dataType;
  }

  NDArray router_ND(NDManager manager) {
    return normal(manager, new Shape(experts, hidden), 1.0 / Math.sqrt(hidden), ROUTER, 0);
  }

  NDArray tokens_TD(NDManager manager, int tokens, int rank) {
    return normal(manager, new Shape(tokens, hidden), 1.0, TOKENS, rank);
  }

  NDArray upstream_TD(NDManager manager, int tokens, int rank) {
    return normal(manager, new Shape(tokens, hidden), 1.0, UPSTREAM, rank);
  }

  ExpertWeights expert(NDManager manager, int expert, boolean bias) {
    int stream = expert * 8;
    double inScale = 1.0 / Math.sqrt(hidden);
    double outScale = 1.0 / Math.sqrt(ffn);
    NDArray gate = normal(manager, new Shape(ffn, hidden), inScale, stream, 1);
    NDArray up = normal(manager, new Shape(ffn, hidden), inScale, stream, 2);
    NDArray down = normal(manager, new Shape(hidden, ffn), outScale, stream, 3);
    if (!bias) {
      return ExpertWeights.withoutBias(gate, up, down);
    }
    return new ExpertWeights(
        gate,
        up,
        down,
        normal(manager, new Shape(ffn), 0.1, stream, 4),
        normal(manager, new Shape(ffn), 0.1, stream, 5),
        normal(manager, new Shape(hidden), 0.1, stream, 6));
  }

  private NDArray normal(NDManager manager, Shape shape, double scale, int stream, int index) {
    SplittableRandom random =
        new SplittableRandom(seed ^ (stream * 0x9E3779B97F4A7C15L) ^ index * 0xC2B2AE3D27D4EB4FL);
    int size = Math.toIntExact(shape.size());
    double[] values = new double[size];
    for (int i = 0; i < size; i++) {
      values[i] = gaussian(random) * scale;
    }
    try (NDArray asDouble = manager.create(values, shape)) {
      if (dataType == DataType.BFLOAT16) {
        return Aten.cast(asDouble, dataType);
      }
      NDArray out = asDouble.toType(dataType, true);
      return dataType == DataType.FLOAT64 ? out.duplicate() : out;
    }
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
