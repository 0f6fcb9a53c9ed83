package ai.llep.models.hf;

import static ai.llep.models.hf.HandMadeFile.f32;
import static ai.llep.models.hf.HandMadeFile.f64;
import static ai.llep.models.hf.HandMadeFile.le;
import static ai.llep.models.hf.HandMadeFile.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
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

  private Path everyDtype() throws IOException {
    return new HandMadeFile()
        .tensor("f64", "F64", shape(2), f64(1.5, -2.25))
        .tensor("f32", "F32", shape(2, 2), f32(1f, -2f, 3.5f, Float.MIN_VALUE))
        .tensor("f16", "F16", shape(3), le(2, 0x3C00, 0xC000, 0x7BFF))
        .tensor("bf16", "BF16", shape(4), le(2, 0x3F80, 0xC0A0, 0x3FC0, 0x0001))
        .tensor("i64", "I64", shape(2), le(8, -3, 1L << 40))
        .tensor("i32", "I32", shape(2), le(4, -7, 1 << 30))
        .tensor("i16", "I16", shape(2), le(2, -300, 32767))
        .tensor("i8", "I8", shape(2), le(1, -128, 127))
        .tensor("u8", "U8", shape(2), le(1, 0, 255))
        .tensor("bool", "BOOL", shape(3), le(1, 1, 0, 1))
        .tensor("scalar", "F32", shape(), f32(42f))
        .tensor("empty", "F32", shape(0, 3), new byte[0])
        .write(dir.resolve("all.safetensors"));
  }

  @Test
  void readsEveryDtypeExactly() throws IOException {
    try (SafetensorsFile file = SafetensorsFile.open(everyDtype())) {
      assertEquals(
          Set.of(
              "f64", "f32", "f16", "bf16", "i64", "i32", "i16", "i8", "u8", "bool", "scalar",
              "empty"),
          file.names());
      assertArrayEquals(
          new double[] {1.5, -2.25}, read(file, "f64", DataType.FLOAT64).toDoubleArray());
      NDArray f32 = read(file, "f32", DataType.FLOAT32);
      assertEquals(new Shape(2, 2), f32.getShape());
      assertArrayEquals(new float[] {1f, -2f, 3.5f, Float.MIN_VALUE}, f32.toFloatArray());
      assertArrayEquals(
          new float[] {1f, -2f, 65504f}, read(file, "f16", DataType.FLOAT32).toFloatArray());
      NDArray f16 = read(file, "f16", DataType.FLOAT16);
      assertEquals(DataType.FLOAT16, f16.getDataType());
      assertArrayEquals(le(2, 0x3C00, 0xC000, 0x7BFF), bytes(f16));
      assertArrayEquals(
          new float[] {1f, -5f, 1.5f, Float.intBitsToFloat(0x00010000)},
          read(file, "bf16", DataType.FLOAT32).toFloatArray());
      assertArrayEquals(new long[] {-3, 1L << 40}, read(file, "i64", DataType.INT64).toLongArray());
      assertArrayEquals(new int[] {-7, 1 << 30}, read(file, "i32", DataType.INT32).toIntArray());
      assertArrayEquals(new int[] {-300, 32767}, read(file, "i16", DataType.INT32).toIntArray());
      assertArrayEquals(new byte[] {-128, 127}, bytes(read(file, "i8", DataType.INT8)));
      NDArray u8 = read(file, "u8", DataType.UINT8);
      assertEquals(DataType.UINT8, u8.getDataType());
      assertArrayEquals(new byte[] {0, (byte) 255}, bytes(u8));
      assertArrayEquals(
          new boolean[] {true, false, true}, read(file, "bool", DataType.BOOLEAN).toBooleanArray());
      NDArray scalar = read(file, "scalar", DataType.FLOAT32);
      assertEquals(new Shape(), scalar.getShape());
      assertEquals(42f, scalar.getFloat());
      assertEquals(new Shape(0, 3), read(file, "empty", DataType.FLOAT32).getShape());
      assertEquals("BF16", file.storedType("bf16"));
      assertEquals(new Shape(2, 2), file.shape("f32"));
    }
  }

  @Test
  void convertsToTheComputeType() throws IOException {
    try (SafetensorsFile file = SafetensorsFile.open(everyDtype())) {
      NDArray half = read(file, "bf16", DataType.FLOAT16);
      assertEquals(DataType.FLOAT16, half.getDataType());
      assertArrayEquals(
          new float[] {1f, -5f, 1.5f, 0f}, half.toType(DataType.FLOAT32, false).toFloatArray());
      assertArrayEquals(
          new float[] {-3f, 1L << 40}, read(file, "i64", DataType.FLOAT32).toFloatArray());
      assertArrayEquals(new long[] {-300, 32767}, read(file, "i16", DataType.INT64).toLongArray());
      assertArrayEquals(
          new double[] {1, -2, 3.5, Float.MIN_VALUE},
          read(file, "f32", DataType.FLOAT64).toDoubleArray());
    }
  }

  @Test
  void refusesTypesDjlWouldAbortOnAndReadsBfloat16ThroughLibtorch() throws IOException {
    try (SafetensorsFile file = SafetensorsFile.open(everyDtype())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> file.read("i16", manager, DataType.INT16));
      assertTrue(e.getMessage().startsWith("reading tensor 'i16': DJL's PyTorch engine has no"));
      NDArray bf16 = file.read("bf16", manager, DataType.BFLOAT16);
      assertEquals(DataType.BFLOAT16, bf16.getDataType());
      assertArrayEquals(
          file.read("bf16", manager, DataType.FLOAT32).toFloatArray(),
          Aten.cast(bf16, DataType.FLOAT32).toFloatArray(),
          "the stored bits, subnormals included");
    }
  }

  @Test
  void namesTheMissingTensorAndTheWrongShape() throws IOException {
    Path path = everyDtype();
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertEquals(
          "no tensor 'nope' in " + path,
          assertThrows(IllegalArgumentException.class, () -> file.shape("nope")).getMessage());
      assertEquals(
          "tensor f32 in file " + path + " has shape [2, 2], expected [4]",
          assertThrows(
                  IllegalArgumentException.class,
                  () -> file.readChecked("f32", new Shape(4), manager, DataType.FLOAT32))
              .getMessage());
      assertArrayEquals(
          new float[] {1f, -2f, 3.5f, Float.MIN_VALUE},
          file.readChecked("f32", new Shape(2, 2), manager, DataType.FLOAT32).toFloatArray());
    }
  }

  @Test
  void readsMetadataAndRefusesUseAfterClose() throws IOException {
    HandMadeFile made = new HandMadeFile().tensor("w", "F32", shape(1), f32(7f));
    String header = made.header().replaceFirst("\\{", "{\"__metadata__\":{\"format\":\"pt\"},");
    Path path = java.nio.file.Files.write(dir.resolve("m.safetensors"), made.bytes(header));
    SafetensorsFile file = SafetensorsFile.open(path);
    assertEquals(Map.of("format", "pt"), file.metadata());
    NDArray kept = read(file, "w", DataType.FLOAT32);
    file.close();
    file.close();
    assertEquals(7f, kept.getFloat(0));
    assertEquals(
        path + " is closed",
        assertThrows(IllegalStateException.class, () -> file.shape("w")).getMessage());
  }

  @Test
  void slicesTensorsLargerThanOneBufferAlongTheirFirstDimension() throws IOException {
    float[] values = new float[5 * 3];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.5f;
    }
    Path path =
        new HandMadeFile()
            .tensor("w", "BF16", shape(5, 3), bf16Bits(values))
            .tensor("v", "F32", shape(5, 3), f32(values))
            .write(dir.resolve("rows.safetensors"));
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      for (String name : new String[] {"w", "v"}) {
        NDArray sliced = file.read(name, manager, DataType.FLOAT32, 2 * 3 * 4);
        assertEquals(new Shape(5, 3), sliced.getShape());
        assertArrayEquals(values, sliced.toFloatArray());
      }
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> file.read("w", manager, DataType.FLOAT32, 8));
      assertEquals(
          "tensor 'w' of shape [5, 3] needs 60 bytes in DJL and cannot be split along its first"
              + " dimension",
          e.getMessage());
    }
  }

  private static byte[] bf16Bits(float[] values) {
    long[] bits = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]) >>> 16;
    }
    return le(2, bits);
  }

  private static NDArray read(SafetensorsFile file, String name, DataType type) {
    NDArray array = file.read(name, manager, type);
    assertEquals(type, array.getDataType(), name);
    return array;
  }

  private static byte[] bytes(NDArray array) {
    ByteBuffer buffer = array.toByteBuffer().order(ByteOrder.nativeOrder());
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
