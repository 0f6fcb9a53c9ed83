package ai.llep.models.hf;

import static ai.llep.models.hf.HandMadeFile.f32;
import static ai.llep.models.hf.HandMadeFile.f64;
import static ai.llep.models.hf.HandMadeFile.le;
import static ai.llep.models.hf.HandMadeFile.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a safetensors file may hold or suffer that is not a header error. */
class SafetensorsFaultsTest {
  @TempDir Path dir;

  @Test
  void countsNonFiniteValuesOfEveryFloatTypeFromTheStoredBytes() throws IOException {
    Path path =
        new HandMadeFile()
            .tensor("f32", "F32", shape(4), f32(1f, Float.NaN, Float.NEGATIVE_INFINITY, 3e38f))
            .tensor("f64", "F64", shape(3), f64(Double.POSITIVE_INFINITY, -0.0, 1e300))
            .tensor("f16", "F16", shape(3), le(2, 0x7C00, 0x7BFF, 0xFE00))
            .tensor("bf16", "BF16", shape(3), le(2, 0x7F80, 0x7F7F, 0xFFC1))
            .tensor("i32", "I32", shape(2), le(4, -1, 0x7F800000))
            .write(dir.resolve("odd.safetensors"));
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertEquals(2, file.countNonFinite("f32"));
      assertEquals(1, file.countNonFinite("f64"));
      assertEquals(2, file.countNonFinite("f16"), "inf and a NaN; 65504 is finite");
      assertEquals(2, file.countNonFinite("bf16"), "inf and a NaN; the largest bf16 is finite");
      assertEquals(0, file.countNonFinite("i32"), "integers are always finite");
    }
  }

  @Test
  void saysWhichTensorsAreStoredAsIntegers() throws IOException {
    Path path =
        new HandMadeFile()
            .tensor("w", "BF16", shape(1), le(2, 0x3F80))
            .tensor("ids", "I64", shape(1), le(8, 5))
            .tensor("mask", "BOOL", shape(1), le(1, 1))
            .write(dir.resolve("mixed.safetensors"));
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertEquals(Optional.empty(), file.integerStorage("w"));
      assertEquals(Optional.of("I64"), file.integerStorage("ids"));
      assertEquals(Optional.of("BOOL"), file.integerStorage("mask"));
    }
  }

  /**
   * A shard cut short while mapped: reading past the new end would fault inside the mapping; the
   * read fails first, naming the file, the tensor and the sizes.
   */
  @Test
  void aFileTruncatedAfterItWasOpenedFailsNamingItAndTheTensor() throws IOException {
    Path path =
        new HandMadeFile()
            .tensor("a", "F32", shape(2), f32(1f, 2f))
            .tensor("b", "F32", shape(1024), new byte[4096])
            .write(dir.resolve("cut.safetensors"));
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        SafetensorsFile file = SafetensorsFile.open(path)) {
      long headerEnd;
      try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
        headerEnd = channel.size() - 4096 - 8;
        channel.truncate(headerEnd + 8 + 100);
      }
      assertArrayEquals(
          new float[] {1f, 2f}, file.read("a", manager, DataType.FLOAT32).toFloatArray());
      UncheckedIOException e =
          assertThrows(UncheckedIOException.class, () -> file.read("b", manager, DataType.FLOAT32));
      assertEquals(
          path
              + " was truncated to "
              + (headerEnd + 108)
              + " bytes after it was opened; tensor 'b' ends at byte "
              + (headerEnd + 8 + 4096),
          e.getCause().getMessage());
      assertTrue(
          assertThrows(UncheckedIOException.class, () -> file.countNonFinite("b"))
              .getMessage()
              .contains("was truncated"));
    }
  }
}
