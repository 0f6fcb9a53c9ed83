package ai.llep.aten;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.llep.tape.Gradients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared checks of the binding's tests. */
final class AtenTesting {
  private AtenTesting() {}

  /** The bfloat16 value nearest {@code x} (ties to even), as a float. */
  static float bf16(float x) {
    int bits = Float.floatToRawIntBits(x);
    bits += 0x7fff + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(bits & 0xffff0000);
  }

  static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double scale = Math.max(1.0, Math.abs(expected[i]));
      if (Math.abs(expected[i] - actual[i]) > tolerance * scale) {
        throw new AssertionError(
            what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
      }
    }
  }

  /** Backward from {@code output} with upstream gradient {@code upstream}. */
  static void backward(NDArray output, NDArray upstream) {
    Gradients.backward(output, upstream);
  }

  static float[] gradient(NDArray leaf) {
    try (NDArray g = leaf.getGradient()) {
      return g.toFloatArray();
    }
  }

  /** This process's resident memory. */
  static long residentBytes() {
    try {
      String[] fields = Files.readString(Path.of("/proc/self/statm")).trim().split(" ");
      return Long.parseLong(fields[1]) * 4096;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
