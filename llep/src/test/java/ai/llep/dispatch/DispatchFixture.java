package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/** Random layers and routings for dispatch tests, drawn on the host from a seed. */
final class DispatchFixture {
  final int experts;
  final int hidden;
  final int ffn;
  final long seed;

  DispatchFixture(int experts, int hidden, int ffn, long seed) {
    this.experts = experts;
    this.hidden = hidden;
    this.ffn = ffn;
    this.seed = seed;
  }

  NDArray normal(NDManager manager, Shape shape, double scale, long stream) {
    SplittableRandom random = new SplittableRandom(seed * 31 + stream);
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    }
    return manager.create(values, shape);
  }

  ExpertWeights expert(NDManager manager, int e, boolean bias) {
    NDArray gate = normal(manager, new Shape(ffn, hidden), 0.5, 1000L * e + 1);
    NDArray up = normal(manager, new Shape(ffn, hidden), 0.5, 1000L * e + 2);
    NDArray down = normal(manager, new Shape(hidden, ffn), 0.5, 1000L * e + 3);
    if (!bias) {
      return ExpertWeights.withoutBias(gate, up, down);
    }
    return new ExpertWeights(gate, up, down,
        normal(manager, new Shape(ffn), 0.1, 1000L * e + 4),
        normal(manager, new Shape(ffn), 0.1, 1000L * e + 5),
        normal(manager, new Shape(hidden), 0.1, 1000L * e + 6));
  }

  /** Expert ids, token-major; with probability {@code hot} a slot goes to expert 0. */
  long[] routing(int rank, int tokens, int topK, double hot) {
    SplittableRandom random = new SplittableRandom(seed * 977 + rank);
    long[] slots = new long[tokens * topK];
    for (int t = 0; t < tokens; t++) {
      for (int k = 0; k < topK; k++) {
        slots[t * topK + k] = random.nextDouble() < hot ? 0 : random.nextInt(experts);
      }
    }
    return slots;
  }

  NDArray routingWeights(NDManager manager, int rank, int tokens, int topK) {
    return normal(manager, new Shape(tokens, topK), 1.0, 500_000L + rank).abs().toType(DataType.FLOAT32, false);
  }
}
