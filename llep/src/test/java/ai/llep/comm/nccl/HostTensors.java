package ai.llep.comm.nccl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.Random;

/** Deterministic tensors any rank can rebuild, and a bitwise comparison. */
final class HostTensors {
  private HostTensors() {}

  static NDArray random(NDManager manager, DataType type, Shape shape, long seed) {
    Random rnd = new Random(seed);
    int n = Math.toIntExact(shape.size());
    float[] floats = new float[n];
    for (int i = 0; i < n; i++) {
      floats[i] = (float) (rnd.nextGaussian() * 50);
    }
    return switch (type) {
      case FLOAT32 -> manager.create(floats, shape);
      case FLOAT16 -> manager.create(floats, shape).toType(DataType.FLOAT16, false);
      case INT64 -> manager.create(rnd.longs(n).map(v -> v >> 4).toArray(), shape);
      default -> throw new IllegalArgumentException("no generator for " + type);
    };
  }

  static void assertSameBits(NDArray expected, NDArray actual, String what) {
    assertEquals(expected.getShape(), actual.getShape(), what + ": shape");
    assertEquals(expected.getDataType(), actual.getDataType(), what + ": dtype");
    ByteBuffer e = expected.toByteBuffer();
    ByteBuffer a = actual.toByteBuffer();
    byte[] eb = new byte[e.remaining()];
    byte[] ab = new byte[a.remaining()];
    e.get(eb);
    a.get(ab);
    assertArrayEquals(eb, ab, what + ": bits");
  }
}
