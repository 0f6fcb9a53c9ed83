package ai.llep.trainer.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.experts.ExpertKind;
import java.util.ArrayList;
import java.util.List;
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

  /** Expert {@code expert}'s tensors for {@code kind}'s function, in its transfer order. */
  List<NDArray> expert(NDManager manager, int expert, ExpertKind kind, List<Shape> shapes) {
    int stream = expert * 8;
    List<NDArray> tensors = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      Shape shape = shapes.get(i);
      tensors.add(normal(manager, shape, scale(kind, i, shape), stream, i + 1));
    }
    return tensors;
  }

  /**
   * The standard deviation of tensor {@code i}'s random values: 1/sqrt(fan-in) for matrices, 0.1
   * for biases; gpt-oss's gate_up twice as wide, so that its clamps at +-7 act on a few entries
   * (few enough that float32 and the float64 reference rarely fall on different sides of 7).
   */
  private double scale(ExpertKind kind, int i, Shape shape) {
    if (shape.dimension() == 1) {
      return 0.1;
    }
    return switch (kind) {
      case SWIGLU -> 1.0 / Math.sqrt(i == 2 ? ffn : hidden);
      case GPT_OSS -> i == 0 ? 2.0 / Math.sqrt(hidden) : 1.0 / Math.sqrt(ffn);
    };
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
