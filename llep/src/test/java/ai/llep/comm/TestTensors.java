package ai.llep.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import java.nio.ByteBuffer;
import java.util.Random;

/** Deterministic random tensors (any rank can rebuild any rank's input) and bitwise checks. */
public final class TestTensors {
  private TestTensors() {}

  public static NDArray random(NDManager manager, DataType type, Shape shape, long seed) {
    Random rnd = new Random(seed);
    int n = Math.toIntExact(shape.size());
    return switch (type) {
      case FLOAT32 -> manager.create(floats(rnd, n), shape);
      case FLOAT16 -> {
        NDArray wide = manager.create(floats(rnd, n), shape);
        NDArray half = wide.toType(DataType.FLOAT16, false);
        wide.close();
        yield half;
      }
      case BFLOAT16 -> {
        try (NDArray wide = manager.create(floats(rnd, n), shape)) {
          yield Aten.cast(wide, DataType.BFLOAT16);
        }
      }
      case FLOAT64 -> manager.create(rnd.doubles(n, -1e6, 1e6).toArray(), shape);
      case INT64 -> manager.create(rnd.longs(n).map(v -> v >> 2).toArray(), shape);
      case INT32 -> manager.create(rnd.ints(n).toArray(), shape);
      case INT8, UINT8 -> {
        byte[] bytes = new byte[n];
        rnd.nextBytes(bytes);
        yield manager.create(ByteBuffer.wrap(bytes), shape, type);
      }
      case BOOLEAN -> {
        boolean[] bits = new boolean[n];
        for (int i = 0; i < n; i++) {
          bits[i] = rnd.nextBoolean();
        }
        yield manager.create(bits, shape);
      }
      default -> throw new IllegalArgumentException("no generator for " + type);
    };
  }

  private static float[] floats(Random rnd, int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) (rnd.nextGaussian() * 50);
    }
    return values;
  }

  /** A random shape with 0 to {@code maxDims} dimensions of size 0 to 4 (zeros are rarer). */
  public static Shape shape(Random rnd, int maxDims) {
    int dims = rnd.nextInt(maxDims + 1);
    long[] sizes = new long[dims];
    for (int i = 0; i < dims; i++) {
      sizes[i] = rnd.nextInt(8) == 0 ? 0 : 1 + rnd.nextInt(4);
    }
    return new Shape(sizes);
  }

  public static byte[] bytes(NDArray x) {
    ByteBuffer buffer = x.toByteBuffer();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  public static void assertSameBits(NDArray expected, NDArray actual, String what) {
    assertEquals(expected.getShape(), actual.getShape(), what + ": shape");
    assertEquals(Aten.dtype(expected), Aten.dtype(actual), what + ": dtype");
    assertArrayEquals(bytes(expected), bytes(actual), what + ": bits");
  }
}
