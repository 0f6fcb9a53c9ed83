package ai.llep.models.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes safetensors files: header keys sorted ({@code __metadata__} first, then tensor names), the
 * header padded with spaces to a multiple of 8 bytes as the reference implementation does, and the
 * data ordered by element size (largest first) then name, so that every tensor starts aligned to
 * its element size. The file appears complete or not at all (temporary file, then a rename). Each
 * tensor's array is opened only while its bytes are written (see {@link StoredTensor}).
 */
public final class SafetensorsWriter {
  /** How floating-point arrays are stored. */
  public enum FloatStorage {
    /** Each floating array keeps its type (float32, float64, float16, bfloat16). */
    AS_IS,
    /** Floating arrays are stored as float32. */
    F32,
    /** Floating arrays are stored as float16 (libtorch's rounding). */
    F16,
    /**
     * Floating arrays are stored as BF16: bfloat16 arrays as they are, others rounded from float32
     * to nearest even in Java; integer and boolean arrays keep their type.
     */
    BF16;

    /** The storage for floating arrays of {@code type}: F32, F16 or BF16. */
    public static FloatStorage of(DataType type) {
      return switch (type) {
        case FLOAT32 -> F32;
        case FLOAT16 -> F16;
        case BFLOAT16 -> BF16;
        default ->
            throw new IllegalArgumentException(
                "floating arrays are stored as float32, float16 or bfloat16, not " + type);
      };
    }

    /** The stored type of a floating array of {@code type}. */
    SafetensorsDtype storedAs(DataType type) {
      return switch (this) {
        case AS_IS -> type == DataType.BFLOAT16 ? SafetensorsDtype.BF16 : SafetensorsDtype.of(type);
        case F32 -> SafetensorsDtype.F32;
        case F16 -> SafetensorsDtype.F16;
        case BF16 -> SafetensorsDtype.BF16;
      };
    }
  }

  private SafetensorsWriter() {}

  /**
   * Writes {@code tensors} to {@code file}, replacing it atomically.
   *
   * @param metadata the header's {@code __metadata__}; omitted when empty
   */
  public static void write(
      Path file, Map<String, NDArray> tensors, Map<String, String> metadata, FloatStorage floats)
      throws IOException {
    List<StoredTensor> stored = new ArrayList<>();
    tensors.forEach((name, array) -> stored.add(StoredTensor.of(name, array, floats)));
    write(file, stored, metadata);
  }

  static void write(Path file, List<StoredTensor> tensors, Map<String, String> metadata)
      throws IOException {
    List<StoredTensor> dataOrder = new ArrayList<>(tensors);
    dataOrder.sort(
        Comparator.comparingInt((StoredTensor t) -> -t.dtype().bytes)
            .thenComparing(StoredTensor::name));
    byte[] header = header(dataOrder, metadata);
    AtomicFiles.write(
        file,
        channel -> {
          ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
          length.putLong(header.length).flip();
          AtomicFiles.writeFully(channel, length);
          AtomicFiles.writeFully(channel, ByteBuffer.wrap(header));
          for (StoredTensor tensor : dataOrder) {
            tensor.writeTo(channel);
          }
        });
  }

  /** The JSON header, space-padded to a multiple of 8 bytes. */
  static byte[] header(List<StoredTensor> dataOrder, Map<String, String> metadata) {
    Map<String, long[]> offsets = new TreeMap<>();
    Map<String, StoredTensor> byName = new TreeMap<>();
    long offset = 0;
    for (StoredTensor tensor : dataOrder) {
      if (byName.put(tensor.name(), tensor) != null) {
        throw new IllegalArgumentException("tensor name '" + tensor.name() + "' given twice");
      }
      long end = offset + tensor.byteSize();
      offsets.put(tensor.name(), new long[] {offset, end});
      offset = end;
    }
    StringWriter text = new StringWriter();
    try (JsonWriter json = new JsonWriter(text)) {
      json.setHtmlSafe(false);
      json.beginObject();
      if (!metadata.isEmpty()) {
        json.name(SafetensorsHeader.METADATA_KEY).beginObject();
        for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
          json.name(entry.getKey()).value(entry.getValue());
        }
        json.endObject();
      }
      for (StoredTensor tensor : byName.values()) {
        if (tensor.name().equals(SafetensorsHeader.METADATA_KEY)) {
          throw new IllegalArgumentException("a tensor cannot be named " + tensor.name());
        }
        json.name(tensor.name()).beginObject();
        json.name("dtype").value(tensor.dtype().name());
        json.name("shape").beginArray();
        for (long dim : tensor.shape()) {
          json.value(dim);
        }
        json.endArray();
        long[] range = offsets.get(tensor.name());
        json.name("data_offsets").beginArray().value(range[0]).value(range[1]).endArray();
        json.endObject();
      }
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (bytes.length + 7) / 8 * 8;
    byte[] out = Arrays.copyOf(bytes, padded);
    Arrays.fill(out, bytes.length, padded, (byte) ' ');
    return out;
  }
}
