package ai.llep.runtime;

import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Request and reply frames of the rendezvous store, after the handshake. Keys are UTF-8 with an int
 * length prefix; numbers are big-endian.
 *
 * <pre>
 * SET   key, value bytes          -> OK
 * GET   timeout ms (long), key    -> OK value | MISSING key
 * ADD   delta (long), key         -> OK new value (long)
 * WAIT  timeout ms, count, keys   -> OK | MISSING first absent key
 * any                             -> ERROR message
 * </pre>
 */
final class StoreProtocol {
  static final byte SET = 16;
  static final byte GET = 17;
  static final byte ADD = 18;
  static final byte WAIT = 19;
  static final byte OK = 32;
  static final byte MISSING = 33;
  static final byte ERROR = 34;

  static final int MAX_KEY_BYTES = 1024;
  static final int MAX_VALUE_BYTES = 16 << 20;
  static final int MAX_FRAME = MAX_VALUE_BYTES + 64 * 1024;

  private StoreProtocol() {}

  static ByteBuffer set(String key, byte[] value) {
    if (value.length > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException(
          "value for key '" + key + "' has " + value.length + " bytes, over " + MAX_VALUE_BYTES);
    }
    byte[] k = keyBytes(key);
    return ByteBuffer.allocate(4 + k.length + value.length)
        .putInt(k.length)
        .put(k)
        .put(value)
        .flip();
  }

  static ByteBuffer withNumber(long number, String key) {
    byte[] k = keyBytes(key);
    return ByteBuffer.allocate(12 + k.length).putLong(number).putInt(k.length).put(k).flip();
  }

  static ByteBuffer waitFor(long timeoutMillis, List<String> keys) {
    List<byte[]> encoded = keys.stream().map(StoreProtocol::keyBytes).toList();
    int size = 12 + encoded.stream().mapToInt(k -> 4 + k.length).sum();
    ByteBuffer buffer = ByteBuffer.allocate(size).putLong(timeoutMillis).putInt(keys.size());
    for (byte[] k : encoded) {
      buffer.putInt(k.length).put(k);
    }
    return buffer.flip();
  }

  static String readKey(ByteBuffer buffer) throws ProtocolException {
    if (buffer.remaining() < 4) {
      throw new ProtocolException("malformed store request: truncated key");
    }
    int length = buffer.getInt();
    if (length < 0 || length > MAX_KEY_BYTES || length > buffer.remaining()) {
      throw new ProtocolException("malformed store request: key length " + length);
    }
    byte[] bytes = new byte[length];
    buffer.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static long readLong(ByteBuffer buffer) throws ProtocolException {
    if (buffer.remaining() < 8) {
      throw new ProtocolException("malformed store request: truncated number");
    }
    return buffer.getLong();
  }

  static List<String> readKeys(ByteBuffer buffer) throws ProtocolException {
    if (buffer.remaining() < 4) {
      throw new ProtocolException("malformed store request: truncated key count");
    }
    int count = buffer.getInt();
    if (count < 0 || count > buffer.remaining() / 4) {
      throw new ProtocolException("malformed store request: key count " + count);
    }
    List<String> keys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      keys.add(readKey(buffer));
    }
    return keys;
  }

  static byte[] rest(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  static ByteBuffer text(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] keyBytes(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    if (bytes.length == 0 || bytes.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "store keys must have 1 to " + MAX_KEY_BYTES + " bytes, got " + bytes.length);
    }
    return bytes;
  }
}
