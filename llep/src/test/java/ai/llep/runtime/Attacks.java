package ai.llep.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Hostile or broken clients, for tests that a listener refuses them and keeps serving. */
public final class Attacks {
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private Attacks() {}

  /**
   * How many refused connections to {@code purpose} the WARN lines account for: one per line naming
   * one, N per line summing up N more.
   */
  public static long refusalsWarned(List<String> lines, String purpose) {
    Pattern single = Pattern.compile("WARN refused connection from \\S+ to " + purpose + ": .*");
    Pattern summary =
        Pattern.compile(
            "WARN refused (\\d+) more unauthenticated connections? to "
                + purpose
                + " in the last \\S+ \\(last from \\S+: .*\\)");
    long count = 0;
    for (String line : lines) {
      Matcher sum = summary.matcher(line);
      if (sum.matches()) {
        count += Long.parseLong(sum.group(1));
      } else if (single.matcher(line).matches()) {
        count++;
      }
    }
    return count;
  }

  /** Runs the handshake with a wrong secret; returns the error the client saw. */
  public static IOException wrongSecret(
      InetSocketAddress address, String purpose, byte[] identity) {
    byte[] wrong = JobSecret.parse(JobSecret.generateHex());
    try (SecureChannel channel =
        SecureChannel.connect(address, wrong, purpose, identity, PATIENCE, PATIENCE)) {
      throw new AssertionError("a wrong secret was accepted by " + channel.remote());
    } catch (IOException e) {
      return e;
    }
  }

  /** Runs the handshake with the right secret but a chosen identity; returns the error. */
  public static IOException rightSecret(
      InetSocketAddress address, byte[] secret, String purpose, byte[] identity) {
    try (SecureChannel channel =
        SecureChannel.connect(address, secret, purpose, identity, PATIENCE, PATIENCE)) {
      throw new AssertionError("identity accepted by " + channel.remote());
    } catch (IOException e) {
      return e;
    }
  }

  /** Connects and closes without a word. */
  public static void connectAndClose(InetSocketAddress address) throws IOException {
    new Socket(address.getAddress(), address.getPort()).close();
  }

  /** Random bytes, then waits for the listener to hang up. */
  public static void garbage(InetSocketAddress address, long seed) throws IOException {
    byte[] bytes = new byte[64];
    new Random(seed).nextBytes(bytes);
    bytes[0] = 'X'; // never the magic by chance
    sendAndAwaitHangUp(address, bytes);
  }

  /** A valid magic with a handshake frame claiming 2 GiB. */
  public static void oversizedFrame(InetSocketAddress address) throws IOException {
    sendAndAwaitHangUp(address, header((byte) 1, Integer.MAX_VALUE));
  }

  /** A valid magic with a frame type nobody speaks. */
  public static void unknownFrameType(InetSocketAddress address) throws IOException {
    sendAndAwaitHangUp(address, header((byte) 99, 0));
  }

  /** Connects and says nothing; the caller closes the socket. */
  public static Socket silent(InetSocketAddress address) throws IOException {
    return new Socket(address.getAddress(), address.getPort());
  }

  /**
   * Sends a well-formed HELLO for {@code purpose} (no secret needed) and reads the listener's
   * CHALLENGE, then says nothing more; the caller closes the socket.
   */
  public static Socket helloThenSilent(InetSocketAddress address, String purpose)
      throws IOException {
    byte[] purposeBytes = purpose.getBytes(StandardCharsets.US_ASCII);
    int length = 3 + purposeBytes.length + 32;
    ByteBuffer hello =
        ByteBuffer.allocate(Frame.HEADER_BYTES + length)
            .put(header(Handshake.HELLO, length))
            .put((byte) 1)
            .put((byte) purposeBytes.length)
            .put(purposeBytes)
            .put((byte) 0)
            .put(new byte[32]);
    Socket socket = new Socket(address.getAddress(), address.getPort());
    socket.setSoTimeout((int) PATIENCE.toMillis());
    socket.getOutputStream().write(hello.array());
    if (socket.getInputStream().readNBytes(Frame.HEADER_BYTES + 32).length
        != Frame.HEADER_BYTES + 32) {
      socket.close();
      throw new IOException("no CHALLENGE from " + address);
    }
    socket.setSoTimeout(0);
    return socket;
  }

  private static byte[] header(byte type, int length) {
    return ByteBuffer.allocate(Frame.HEADER_BYTES)
        .putInt(Frame.MAGIC)
        .put(type)
        .putInt(length)
        .array();
  }

  private static void sendAndAwaitHangUp(InetSocketAddress address, byte[] bytes)
      throws IOException {
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout((int) PATIENCE.toMillis());
      socket.getOutputStream().write(bytes);
      InputStream in = socket.getInputStream();
      while (in.read() >= 0) {
        // Drain until the listener closes the connection.
      }
    } catch (java.net.SocketException e) {
      // A reset is a hang-up too.
    }
  }
}
