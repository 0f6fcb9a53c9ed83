package ai.llep.runtime;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(SecureChannel.class);

  private final FramedSocket socket;

  SecureChannel(FramedSocket socket) {
    this.socket = socket;
  }

  /**
   * Connects to a {@link SecureListener} serving {@code purpose} and runs the handshake, declaring
   * {@code identity} (at most 64 bytes, bound into the proof). Until {@code connectTimeout}, a
   * refused, reset or closed connection and a handshake the listener gave up on are retried with
   * backoff: the listener may start late, or drop connections under a flood of strangers. A refusal
   * with a reason (a wrong secret, an identity the listener rejects), a peer that does not speak
   * the protocol and an interrupt are not retried.
   *
   * @param handshakeTimeout the listener's bound on a handshake; this end waits up to twice as long
   *     for a silent listener, so the listener gives up first and never completes a handshake that
   *     this end abandoned
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
    Backoff backoff = new Backoff();
    int attempts = 0;
    while (true) {
      attempts++;
      try {
        return attempt(address, secret, purpose, identity, handshakeTimeout, deadline);
      } catch (HandshakeException | ProtocolException e) {
        throw e;
      } catch (IOException e) {
        if (Thread.currentThread().isInterrupted()
            || (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException))) {
          throw e;
        }
        long pause = backoff.next();
        if (System.nanoTime() + pause * 1_000_000 >= deadline) {
          throw new SocketTimeoutException(
              "could not connect to "
                  + address
                  + " within "
                  + Durations.format(connectTimeout)
                  + " ("
                  + attempts
                  + (attempts == 1 ? " attempt" : " attempts")
                  + "): "
                  + e.getMessage());
        }
        LOG.debug(
            "connecting to {} ({}), attempt {} failed: {}; retrying in {} ms",
            address,
            purpose,
            attempts,
            e.getMessage(),
            pause);
        sleep(pause);
      }
    }
  }

  private static SecureChannel attempt(
      InetSocketAddress address,
      byte[] secret,
      String purpose,
      byte[] identity,
      Duration handshakeTimeout,
      long deadline)
      throws IOException {
    Duration patience = handshakeTimeout.multipliedBy(2);
    SocketChannel raw = SocketChannel.open();
    try {
      raw.socket().connect(address, (int) Math.min(upTo(patience, deadline).toMillis(), 1 << 30));
      FramedSocket framed = new FramedSocket(raw);
      Handshake.client(framed, secret, purpose, identity, upTo(patience, deadline));
      return new SecureChannel(framed);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** {@code bound}, or less when {@code deadline} comes first; at least a millisecond. */
  private static Duration upTo(Duration bound, long deadline) {
    Duration left = Duration.ofNanos(deadline - System.nanoTime());
    Duration shorter = left.compareTo(bound) < 0 ? left : bound;
    return shorter.toMillis() < 1 ? Duration.ofMillis(1) : shorter;
  }

  /** Exponential pauses from 20 ms to 1 s, with jitter so that retrying ranks spread out. */
  private static final class Backoff {
    private long millis = 20;

    long next() {
      long pause = millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1);
      millis = Math.min(millis * 2, 1000);
      return pause;
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
