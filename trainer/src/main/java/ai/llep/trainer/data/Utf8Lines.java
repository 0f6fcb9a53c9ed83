package ai.llep.trainer.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The lines of a file (ended by {@code \n}, a {@code \r} before it dropped), each decoded as UTF-8
 * on its own: bytes that are not UTF-8 spoil only their line, which {@link #next} reports with the
 * offset of the first bad byte, instead of failing the whole file as a decoding reader does.
 */
final class Utf8Lines implements AutoCloseable {
  /** A line that is not valid UTF-8. */
  static final class Malformed extends IOException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  private static final int CHUNK = 1 << 16;

  private final InputStream in;
  private final byte[] chunk = new byte[CHUNK];
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private int position;
  private int limit;

  Utf8Lines(Path file) throws IOException {
    this.in = Files.newInputStream(file);
  }

  /**
   * The next line, or null after the last one.
   *
   * @throws Malformed when the line is not valid UTF-8 (the next call reads the line after it)
   */
  String next() throws IOException {
    return read(true) ? decode(line.toByteArray()) : null;
  }

  /** Passes over the next line without decoding it; false after the last one. */
  boolean skip() throws IOException {
    return read(false);
  }

  /** Reads the next line, keeping its bytes in {@link #line} when asked; false after the last. */
  private boolean read(boolean keep) throws IOException {
    line.reset();
    boolean any = false;
    while (true) {
      if (position == limit) {
        limit = in.read(chunk);
        position = 0;
        if (limit <= 0) {
          limit = 0;
          return any;
        }
      }
      any = true;
      int start = position;
      while (position < limit && chunk[position] != '\n') {
        position++;
      }
      if (keep) {
        line.write(chunk, start, position - start);
      }
      if (position < limit) {
        position++;
        return true;
      }
    }
  }

  private String decode(byte[] bytes) throws Malformed {
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    ByteBuffer input = ByteBuffer.wrap(bytes, 0, length);
    CharBuffer output = CharBuffer.allocate(length);
    decoder.reset();
    CoderResult result = decoder.decode(input, output, true);
    if (!result.isError()) {
      result = decoder.flush(output);
    }
    if (result.isError()) {
      int at = input.position();
      throw new Malformed(
          "not valid UTF-8: byte "
              + (at + 1)
              + " of the line is 0x"
              + HexFormat.of().toHexDigits(bytes[at]));
    }
    return output.flip().toString();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
