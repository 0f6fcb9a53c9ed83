package ai.llep.trainer.commcheck;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Makes the input that a given rank contributes to a given case, from the case's seed alone, so
 * that any rank can rebuild every other rank's input and compute a collective's result directly.
 */
final class TensorFactory {
  private final long seed;

  TensorFactory(long seed) {
    this.seed = seed;
  }

  /**
   * Float16 values are small integers so that every sum is exact whatever the order; float32 values
   * are arbitrary, so exactness there also checks the reduction order (rank order).
   */
  NDArray input(NDManager manager, int caseId, int rank, Shape shape, DataType dataType) {
    SplittableRandom random = new SplittableRandom(mix(seed, caseId, rank));
    int size = Math.toIntExact(shape.size());
    return switch (dataType) {
      case FLOAT32 -> {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
          values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        yield manager.create(values, shape);
      }
      case FLOAT16 -> {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
          values[i] = random.nextInt(-16, 17);
        }
        try (NDArray asFloat = manager.create(values, shape)) {
          yield asFloat.toType(DataType.FLOAT16, true);
        }
      }
      case INT64 -> {
        long[] values = new long[size];
        for (int i = 0; i < size; i++) {
          values[i] = random.nextLong(-1_000_000_000L, 1_000_000_000L);
        }
        yield manager.create(values, shape);
      }
      default -> throw new IllegalArgumentException("comm-check has no generator for " + dataType);
    };
  }

  SplittableRandom shared(int caseId) {
    return new SplittableRandom(mix(seed, caseId, -1));
  }

  private static long mix(long seed, int caseId, int rank) {
    long h = seed * 0x9E3779B97F4A7C15L + caseId;
    h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + rank;
    return h ^ (h >>> 29);
  }
}
