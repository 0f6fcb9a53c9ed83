package ai.llep.models.hf;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The parsed and validated header of a safetensors file. Validation follows the reference
 * implementation: the tensors tile the data section exactly (no overlap, no gap, nothing after the
 * last one) and each one's byte range matches its shape and dtype.
 *
 * @param tensors by name
 * @param dataStart the file offset of the data section (8 + header length)
 */
record SafetensorsHeader(
    SortedMap<String, TensorEntry> tensors, Map<String, String> metadata, long dataStart) {

  /** The reference implementation's limit; a larger header is a corrupt or hostile file. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA_KEY = "__metadata__";

  /**
   * Parses the header of {@code file} (the whole mapped file); {@code label} names it in errors.
   */
  static SafetensorsHeader parse(String label, MemorySegment file) throws IOException {
    long size = file.byteSize();
    if (size < 8) {
      throw new IOException(label + ": " + size + " bytes, too short for a safetensors file");
    }
    long headerBytes =
        file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (headerBytes < 0 || headerBytes > MAX_HEADER_BYTES) {
      throw new IOException(
          label + ": header length " + headerBytes + " is outside [0, " + MAX_HEADER_BYTES + "]");
    }
    if (8 + headerBytes > size) {
      throw new IOException(
          label
              + ": header length "
              + headerBytes
              + " runs past the end of the file ("
              + size
              + " bytes)");
    }
    JsonObject json = parseJson(label, file.asSlice(8, headerBytes));
    long dataBytes = size - 8 - headerBytes;
    Map<String, String> metadata = Map.of();
    SortedMap<String, TensorEntry> tensors = new TreeMap<>();
    for (Map.Entry<String, JsonElement> entry : json.entrySet()) {
      if (entry.getKey().equals(METADATA_KEY)) {
        metadata = parseMetadata(label, entry.getValue());
      } else {
        TensorEntry tensor = HeaderFields.tensor(label, entry.getKey(), entry.getValue());
        checkRange(label, tensor, dataBytes);
        tensors.put(tensor.name(), tensor);
      }
    }
    checkTiling(label, tensors.values(), dataBytes);
    return new SafetensorsHeader(
        Collections.unmodifiableSortedMap(tensors), metadata, 8 + headerBytes);
  }

  private static JsonObject parseJson(String label, MemorySegment headerBytes) throws IOException {
    String text;
    try {
      ByteBuffer bytes = headerBytes.asByteBuffer();
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes)
              .toString();
    } catch (CharacterCodingException e) {
      throw new IOException(label + ": header is not valid UTF-8", e);
    }
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT);
      JsonElement root = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new JsonParseException("text after the header object");
      }
      if (!root.isJsonObject()) {
        throw new JsonParseException("the header is not a JSON object");
      }
      return root.getAsJsonObject();
    } catch (JsonParseException | IOException | IllegalStateException e) {
      throw new IOException(label + ": header is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> parseMetadata(String label, JsonElement value)
      throws IOException {
    if (!value.isJsonObject()) {
      throw new IOException(label + ": " + METADATA_KEY + " is not a JSON object");
    }
    SortedMap<String, String> metadata = new TreeMap<>();
    for (Map.Entry<String, JsonElement> entry : value.getAsJsonObject().entrySet()) {
      JsonElement v = entry.getValue();
      if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
        throw new IOException(
            label + ": " + METADATA_KEY + " value of '" + entry.getKey() + "' is not a string");
      }
      metadata.put(entry.getKey(), v.getAsString());
    }
    return Collections.unmodifiableSortedMap(metadata);
  }

  private static void checkRange(String label, TensorEntry tensor, long dataBytes)
      throws IOException {
    String where = label + ": tensor '" + tensor.name() + "'";
    if (tensor.begin() > tensor.end()) {
      throw new IOException(
          where
              + " has data_offsets ["
              + tensor.begin()
              + ", "
              + tensor.end()
              + "] with end < begin");
    }
    if (tensor.end() > dataBytes) {
      throw new IOException(
          where
              + " ends at data byte "
              + tensor.end()
              + " but the file holds only "
              + dataBytes
              + " data bytes (truncated?)");
    }
    long needed;
    try {
      needed = Math.multiplyExact(tensor.elements(), tensor.dtype().bytes);
    } catch (ArithmeticException e) {
      throw new IOException(where + " has shape " + tensor.shapeText() + " too large to address");
    }
    if (needed != tensor.byteSize()) {
      throw new IOException(
          where
              + " has data_offsets ["
              + tensor.begin()
              + ", "
              + tensor.end()
              + "] holding "
              + tensor.byteSize()
              + " bytes, but shape "
              + tensor.shapeText()
              + " of "
              + tensor.dtype()
              + " needs "
              + needed);
    }
  }

  private static void checkTiling(String label, Iterable<TensorEntry> tensors, long dataBytes)
      throws IOException {
    List<TensorEntry> byOffset = new ArrayList<>();
    tensors.forEach(byOffset::add);
    byOffset.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
    long covered = 0;
    TensorEntry previous = null;
    for (TensorEntry tensor : byOffset) {
      if (tensor.begin() < covered) {
        throw new IOException(
            label + ": tensors '" + previous.name() + "' and '" + tensor.name() + "' overlap");
      }
      if (tensor.begin() > covered) {
        throw new IOException(
            label
                + ": data bytes ["
                + covered
                + ", "
                + tensor.begin()
                + ") before tensor '"
                + tensor.name()
                + "' belong to no tensor");
      }
      covered = tensor.end();
      previous = tensor;
    }
    if (covered != dataBytes) {
      throw new IOException(
          label
              + ": data bytes ["
              + covered
              + ", "
              + dataBytes
              + ") after the last tensor belong to no tensor");
    }
  }
}
