package ai.llep.models.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.models.hf.SafetensorsWriter.FloatStorage;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model written from a tensor source, one tensor at a time, in the type asked for; and {@code
 * config.json} made to declare that type.
 */
class StreamedWriteTest {
  private static final String CONFIG = "{\"model_type\": \"mixtral\", \"dtype\": \"float32\"}";

  @TempDir Path dir;
  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager("PyTorch");
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** float32 tensors that tell when they are read, and check that earlier reads were freed. */
  static final class CountingSource implements TensorSource {
    final Map<String, float[]> values = new TreeMap<>();
    final Map<String, Shape> shapes = new TreeMap<>();
    final List<NDArray> handedOut = new ArrayList<>();

    void put(String name, Shape shape) {
      float[] v = new float[Math.toIntExact(shape.size())];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) Math.sin(name.hashCode() + i * 0.37) * 3.3f;
      }
      values.put(name, v);
      shapes.put(name, shape);
    }

    @Override
    public Set<String> names() {
      return values.keySet();
    }

    @Override
    public Shape shape(String name) {
      return shapes.get(name);
    }

    @Override
    public NDArray read(String name, NDManager manager, DataType computeType) {
      for (NDArray earlier : handedOut) {
        assertTrue(earlier.isReleased(), "a tensor read before " + name + " is still held");
      }
      NDArray array = manager.create(values.get(name), shapes.get(name));
      handedOut.add(array);
      return computeType == DataType.FLOAT32 ? array : array.toType(computeType, false);
    }
  }

  private static CountingSource source() {
    CountingSource source = new CountingSource();
    source.put("model.embed_tokens.weight", new Shape(16, 8));
    source.put("model.layers.0.mlp.experts.0.w1.weight", new Shape(6, 8));
    source.put("model.norm.weight", new Shape(8));
    source.put("lm_head.weight", new Shape(16, 8));
    return source;
  }

  @Test
  void aStreamedWriteHoldsOneTensorAtATimeAndStoresTheTypeAsked() throws IOException {
    for (FloatStorage storage : new FloatStorage[] {FloatStorage.BF16, FloatStorage.F16}) {
      CountingSource source = source();
      Path folder = dir.resolve(storage.name());
      new HfCheckpointWriter(600, storage).write(folder, CONFIG, source, Map.of(), Map.of());
      assertEquals(4, source.handedOut.size(), "each tensor read once");
      try (HfCheckpoint written = HfCheckpoint.open(folder)) {
        assertEquals(source.names(), written.names());
        assertTrue(
            Files.isRegularFile(folder.resolve(ShardIndex.FILE_NAME)), "sharded at 600 bytes");
        for (String name : source.names()) {
          assertEquals(storage.name(), written.storedType(name), name);
          float[] expected = rounded(source.values.get(name), storage);
          assertArrayEquals(
              expected, written.read(name, manager, DataType.FLOAT32).toFloatArray(), name);
        }
      }
    }
  }

  @Test
  void aStreamedWriteNeedsAStoredType() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new HfCheckpointWriter(600, FloatStorage.AS_IS)
                    .write(dir.resolve("x"), CONFIG, source(), Map.of(), Map.of()));
    assertEquals("a streamed write needs a stored float type, not AS_IS", e.getMessage());
  }

  @Test
  void largeTensorsGoOutInRowSlicesWithTheSameBytes() throws IOException {
    NDArray x = manager.create(source().values.get("lm_head.weight"), new Shape(16, 8));
    for (FloatStorage storage : FloatStorage.values()) {
      StoredTensor tensor = StoredTensor.of("w", x, storage);
      Path whole = dir.resolve(storage + ".whole");
      Path sliced = dir.resolve(storage + ".sliced");
      try (FileChannel a =
              FileChannel.open(whole, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          FileChannel b =
              FileChannel.open(sliced, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        tensor.writeTo(a);
        tensor.writeTo(b, 3 * tensor.byteSize() / 16);
      }
      assertEquals(tensor.byteSize(), Files.size(whole), storage.toString());
      assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(sliced), storage.toString());
    }
  }

  @Test
  void bfloat16ArraysAreStoredWithTheirOwnBitsAndReadBack() throws IOException {
    float[] values = {1.5f, -3.140625f, 1e-3f, 65280f};
    NDArray half = Aten.cast(manager.create(values), DataType.BFLOAT16);
    Path file = dir.resolve("bf16.safetensors");
    SafetensorsWriter.write(file, Map.of("w", half), Map.of(), FloatStorage.AS_IS);
    try (SafetensorsFile read = SafetensorsFile.open(file)) {
      assertEquals("BF16", read.storedType("w"));
      assertArrayEquals(
          Aten.cast(half, DataType.FLOAT32).toFloatArray(),
          read.read("w", manager, DataType.FLOAT32).toFloatArray());
      NDArray again = read.read("w", manager, DataType.BFLOAT16);
      assertEquals(DataType.BFLOAT16, Aten.dtype(again), "read as bfloat16 through libtorch");
      assertArrayEquals(
          Aten.cast(half, DataType.FLOAT32).toFloatArray(),
          Aten.cast(again, DataType.FLOAT32).toFloatArray());
    }
  }

  @Test
  void theConfigDeclaresTheExportedType() {
    assertEquals(CONFIG, ConfigDtype.declare(CONFIG, DataType.FLOAT32), "already declared");
    String bf16 = ConfigDtype.declare(CONFIG, DataType.BFLOAT16);
    var parsed = JsonParser.parseString(bf16).getAsJsonObject();
    assertEquals("bfloat16", parsed.get("dtype").getAsString());
    assertEquals("mixtral", parsed.get("model_type").getAsString());
    var both =
        JsonParser.parseString(
                ConfigDtype.declare(
                    "{\"dtype\": \"bfloat16\", \"torch_dtype\": \"float32\"}", DataType.FLOAT16))
            .getAsJsonObject();
    assertEquals("float16", both.get("dtype").getAsString());
    assertEquals("float16", both.get("torch_dtype").getAsString());
    var none =
        JsonParser.parseString(ConfigDtype.declare("{\"model_type\": \"olmoe\"}", DataType.FLOAT32))
            .getAsJsonObject();
    assertEquals("float32", none.get("torch_dtype").getAsString());
  }

  private float[] rounded(float[] values, FloatStorage storage) {
    try (NDArray x = manager.create(values);
        NDArray narrow =
            Aten.cast(x, storage == FloatStorage.BF16 ? DataType.BFLOAT16 : DataType.FLOAT16);
        NDArray back = Aten.cast(narrow, DataType.FLOAT32)) {
      return back.toFloatArray();
    }
  }
}
