package ai.llep.runtime;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A framed connection whose two ends have proven the same job secret to each other. Shared by the
 * rendezvous store and the TCP communicator; instances exist only after a successful handshake.
 *
 * <p>Authentication only: frames after the handshake are neither encrypted nor signed, so the
 * network between ranks must be trusted not to alter traffic.
 *
 * <p>One thread may receive while others send; sends are serialized.
 */
public final class SecureChannel implements AutoCloseable {
  private final FramedSocket socket;

  SecureChannel(FramedSocket socket) {
    this.socket = socket;
  }

  /**
   * Connects to a {@link SecureListener} serving {@code purpose} and runs the handshake, declaring
   * {@code identity} (at most 64 bytes, bound into the proof). A refused or unreachable address is
   * retried until {@code connectTimeout}, since the listener may start late; an authentication
   * failure is not retried.
   */
  public static SecureChannel connect(
      InetSocketAddress address,
      byte[] secret,
      String purpose,
      byte[] identity,
      Duration connectTimeout,
      Duration handshakeTimeout)
      throws IOException {
    Handshake.checkSecret(secret);
    long deadline = System.nanoTime() + connectTimeout.toNanos();
    long backoffMillis = 20;
    while (true) {
      SocketChannel raw = SocketChannel.open();
      try {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        raw.socket().connect(address, (int) Math.min(left, Integer.MAX_VALUE));
      } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
        raw.close();
        if (System.nanoTime() + backoffMillis * 1_000_000 >= deadline) {
          throw new SocketTimeoutException(
              "could not connect to "
                  + address
                  + " within "
                  + Durations.format(connectTimeout)
                  + ": "
                  + e.getMessage());
        }
        sleep(backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, 500);
        continue;
      } catch (IOException | RuntimeException e) {
        raw.close();
        throw e;
      }
      try {
        FramedSocket framed = new FramedSocket(raw);
        Handshake.client(framed, secret, purpose, identity, handshakeTimeout);
        return new SecureChannel(framed);
      } catch (IOException | RuntimeException e) {
        raw.close();
        throw e;
      }
    }
  }

  /** The peer's address, for messages and logs. */
  public String remote() {
    return socket.remote();
  }

  public boolean isOpen() {
    return socket.isOpen();
  }

  /**
   * Sends one frame made of {@code parts} (their remaining bytes, which are left untouched). A send
   * that takes longer than {@code timeout} (null: no bound) closes the channel and throws {@link
   * SocketTimeoutException}.
   */
  public void send(byte type, Duration timeout, ByteBuffer... parts) throws IOException {
    socket.write(type, timeout, parts);
  }

  /** Receives one frame into a heap buffer, bounded by {@code timeout} (null: no bound). */
  public Frame receive(int maxPayload, Duration timeout) throws IOException {
    return socket.read(maxPayload, timeout, false);
  }

  /**
   * Receives one frame, without a time bound, into a direct buffer in native byte order (ready to
   * hand to native code without another copy).
   */
  public Frame receiveDirect(int maxPayload) throws IOException {
    return socket.read(maxPayload, null, true);
  }

  @Override
  public void close() {
    socket.close();
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while connecting");
    }
  }
}
