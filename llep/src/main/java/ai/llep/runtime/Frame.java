package ai.llep.runtime;

import java.nio.ByteBuffer;

/**
 * One message on an LLEP connection: a type byte and a payload. On the wire a frame is the magic
 * {@code "LLEP"} (4 bytes), the type (1 byte), the payload length (4 bytes, big-endian), then the
 * payload.
 */
public record Frame(byte type, ByteBuffer payload) {
  /** The first four bytes of every frame, {@code "LLEP"} in ASCII. */
  public static final int MAGIC = 0x4C4C4550;

  /** Bytes before the payload: magic, type, length. */
  public static final int HEADER_BYTES = 9;

  public Frame {
    if (payload == null) {
      throw new IllegalArgumentException("frame payload must not be null (use an empty buffer)");
    }
  }
}
