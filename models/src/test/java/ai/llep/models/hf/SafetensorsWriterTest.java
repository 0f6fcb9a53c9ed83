package ai.llep.models.hf;

import static ai.llep.models.hf.HandMadeFile.f32;
import static ai.llep.models.hf.HandMadeFile.le;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.hf.SafetensorsWriter.FloatStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
  private static NDManager manager;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager("PyTorch");
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  @Test
  void writesTheExpectedBytes() throws IOException {
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    tensors.put("h", manager.create(new float[] {1f}).toType(DataType.FLOAT16, false));
    tensors.put("b", manager.create(new float[] {1f, 2f}));
    tensors.put("a", manager.create(new long[] {5}));
    Path path = dir.resolve("small.safetensors");
    SafetensorsWriter.write(path, tensors, Map.of("format", "pt"), FloatStorage.AS_IS);

    String header =
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
            + "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[16,18]}}";
    assertEquals(194, header.length());
    String padded = header + "      ";
    ByteBuffer expected = ByteBuffer.allocate(8 + 200 + 18);
    expected.put(le(8, 200)).put(padded.getBytes(StandardCharsets.US_ASCII));
    expected.put(le(8, 5)).put(f32(1f, 2f)).put(le(2, 0x3C00));
    assertArrayEquals(expected.array(), Files.readAllBytes(path));
  }

  @Test
  void roundsToBfloat16NearestEven() throws IOException {
    float[] values = {
      1f,
      1.00390625f, // halfway between 1 and the next bf16: ties to even (1)
      1.01171875f, // halfway between 0x3F81 and 0x3F82: ties to even (0x3F82)
      Math.nextUp(1.00390625f), // just above halfway: rounds up
      -2.5f,
      Float.NaN,
      Float.NEGATIVE_INFINITY,
      3.4e38f // above the largest bf16 + half an ulp: rounds to infinity
    };
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    tensors.put("w", manager.create(values));
    tensors.put("ids", manager.create(new int[] {3}));
    Path path = dir.resolve("bf16.safetensors");
    SafetensorsWriter.write(path, tensors, Map.of(), FloatStorage.BF16);

    byte[] bytes = Files.readAllBytes(path);
    int dataStart = 8 + (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    byte[] stored = Arrays.copyOfRange(bytes, dataStart + 4, bytes.length);
    assertArrayEquals(
        le(2, 0x3F80, 0x3F80, 0x3F82, 0x3F81, 0xC020, 0x7FC0, 0xFF80, 0x7F80), stored);
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertEquals("BF16", file.storedType("w"));
      assertEquals("I32", file.storedType("ids"));
    }
  }

  @Test
  void readsBackWhatItWrote() throws IOException {
    Random rnd = new Random(7);
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    tensors.put("f32", manager.randomNormal(new Shape(3, 5)));
    tensors.put("f16", manager.randomNormal(new Shape(7)).toType(DataType.FLOAT16, false));
    tensors.put("f64", manager.create(rnd.doubles(4).toArray(), new Shape(2, 2)));
    tensors.put("i64", manager.create(rnd.longs(3).toArray()));
    tensors.put("i32", manager.create(rnd.ints(5).toArray()));
    tensors.put("i8", manager.create(new byte[] {-1, 2, 3}));
    tensors.put(
        "u8", manager.create(ByteBuffer.wrap(new byte[] {0, -1}), new Shape(2), DataType.UINT8));
    tensors.put("bool", manager.create(new boolean[] {true, false, false}));
    tensors.put("scalar", manager.create(2.5f));
    tensors.put("empty", manager.zeros(new Shape(0, 4)));
    tensors.put("transposed", manager.arange(6f).reshape(2, 3).transpose());
    Path path = dir.resolve("round.safetensors");
    SafetensorsWriter.write(path, tensors, Map.of("k", "v"), FloatStorage.AS_IS);

    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertEquals(tensors.keySet(), file.names());
      assertEquals(Map.of("k", "v"), file.metadata());
      for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
        NDArray expected = entry.getValue();
        NDArray actual = file.read(entry.getKey(), manager, expected.getDataType());
        assertEquals(expected.getShape(), actual.getShape(), entry.getKey());
        assertArrayEquals(
            bytes(expected.toType(expected.getDataType(), true)), bytes(actual), entry.getKey());
      }
      assertArrayEquals(
          new float[] {0, 3, 1, 4, 2, 5},
          file.read("transposed", manager, DataType.FLOAT32).toFloatArray());
    }
  }

  @Test
  void bfloat16RoundTripIsExactForBfloat16Values() throws IOException {
    float[] values = {1f, -0.5f, 3.140625f, 0f, -0f, 65280f};
    Path path = dir.resolve("exact.safetensors");
    SafetensorsWriter.write(path, Map.of("w", manager.create(values)), Map.of(), FloatStorage.BF16);
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertArrayEquals(values, file.read("w", manager, DataType.FLOAT32).toFloatArray());
    }
  }

  @Test
  void aFailedWriteKeepsTheOldFileAndLeavesNoTemporary() throws IOException {
    Path path = dir.resolve("keep.safetensors");
    SafetensorsWriter.write(
        path, Map.of("w", manager.create(new float[] {1f})), Map.of(), FloatStorage.AS_IS);
    byte[] before = Files.readAllBytes(path);
    NDArray closed = manager.create(new float[] {2f});
    closed.close();
    assertThrows(
        RuntimeException.class,
        () -> SafetensorsWriter.write(path, Map.of("w", closed), Map.of(), FloatStorage.AS_IS));
    assertArrayEquals(before, Files.readAllBytes(path));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(path), files.toList());
    }
  }

  private static byte[] bytes(NDArray array) {
    ByteBuffer buffer = array.toByteBuffer();
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
