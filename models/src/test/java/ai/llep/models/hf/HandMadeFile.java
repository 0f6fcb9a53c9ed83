package ai.llep.models.hf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds safetensors bytes by hand, independently of {@link SafetensorsWriter}: tensors are
 * appended with their raw little-endian bytes and the header is formatted here.
 */
final class HandMadeFile {
  private final List<String> entries = new ArrayList<>();
  private final ByteArrayOutputStream data = new ByteArrayOutputStream();

  /** Appends a tensor whose data bytes are {@code bytes}; the offsets follow the previous one. */
  HandMadeFile tensor(String name, String dtype, long[] shape, byte[] bytes) {
    long begin = data.size();
    data.writeBytes(bytes);
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      dims.append(i == 0 ? "" : ",").append(shape[i]);
    }
    entries.add(
        "\"%s\":{\"dtype\":\"%s\",\"shape\":[%s],\"data_offsets\":[%d,%d]}"
            .formatted(name, dtype, dims, begin, data.size()));
    return this;
  }

  byte[] bytes() {
    return bytes(header());
  }

  String header() {
    return "{" + String.join(",", entries) + "}";
  }

  /** The file for an arbitrary header text over this builder's data. */
  byte[] bytes(String header) {
    return raw(header.getBytes(StandardCharsets.UTF_8), data.toByteArray());
  }

  Path write(Path file) throws IOException {
    return Files.write(file, bytes());
  }

  static byte[] raw(byte[] header, byte[] data) {
    ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.length);
    out.order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header).put(data);
    return out.array();
  }

  static byte[] le(int bytesPerValue, long... values) {
    ByteBuffer out = ByteBuffer.allocate(bytesPerValue * values.length);
    out.order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      switch (bytesPerValue) {
        case 1 -> out.put((byte) v);
        case 2 -> out.putShort((short) v);
        case 4 -> out.putInt((int) v);
        default -> out.putLong(v);
      }
    }
    return out.array();
  }

  static byte[] f32(float... values) {
    long[] bits = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return le(4, bits);
  }

  static byte[] f64(double... values) {
    long[] bits = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Double.doubleToRawLongBits(values[i]);
    }
    return le(8, bits);
  }

  static long[] shape(long... dims) {
    return dims;
  }
}
