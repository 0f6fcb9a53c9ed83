package ai.llep.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections on one address and authenticates each on its own virtual thread, bounded by a
 * short handshake timeout, so a silent or hostile client never holds up accept. A connection that
 * fails the handshake or the handler's checks is closed and logged at WARN with the remote address
 * and the reason; the listener keeps serving.
 */
public final class SecureListener implements AutoCloseable {
  /** Receives each authenticated connection on that connection's own thread. */
  @FunctionalInterface
  public interface Handler {
    /**
     * Vets the identity an authenticated client declared, before the handshake completes: a
     * non-null reason refuses the connection, and the client sees that reason.
     */
    default String refusal(byte[] identity) {
      return null;
    }

    /**
     * Takes ownership of {@code channel}; may run for the connection's lifetime. Throwing refuses
     * the connection: the listener logs the message and closes the channel.
     */
    void handle(SecureChannel channel, byte[] identity) throws IOException;
  }

  private static final Logger LOG = LoggerFactory.getLogger(SecureListener.class);
  private static final int MAX_PENDING_HANDSHAKES = 64;

  private final ServerSocketChannel server;
  private final byte[] secret;
  private final String purpose;
  private final Duration handshakeTimeout;
  private final Handler handler;
  private final Semaphore pending = new Semaphore(MAX_PENDING_HANDSHAKES);
  private final Thread acceptor;
  private volatile boolean closed;

  private SecureListener(
      ServerSocketChannel server,
      byte[] secret,
      String purpose,
      Duration handshakeTimeout,
      Handler handler) {
    this.server = server;
    this.secret = secret.clone();
    this.purpose = purpose;
    this.handshakeTimeout = handshakeTimeout;
    this.handler = handler;
    this.acceptor =
        Thread.ofPlatform()
            .daemon()
            .name("llep-accept-" + purpose + "-" + server.socket().getLocalPort())
            .unstarted(this::acceptLoop);
  }

  /**
   * Binds {@code bind} (port 0: an ephemeral port) and starts accepting connections for {@code
   * purpose}; clients must declare the same purpose.
   */
  public static SecureListener open(
      InetSocketAddress bind,
      byte[] secret,
      String purpose,
      Duration handshakeTimeout,
      Handler handler)
      throws IOException {
    Handshake.checkSecret(secret);
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.bind(bind, 128);
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot listen on " + bind + " for " + purpose + ": " + e, e);
    }
    SecureListener listener =
        new SecureListener(server, secret, purpose, handshakeTimeout, handler);
    listener.acceptor.start();
    return listener;
  }

  /** The bound address, with the actual port. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.socket().getLocalSocketAddress();
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel raw;
      try {
        raw = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("accept failed on {} ({}): {}", address(), purpose, e.toString());
        }
        continue;
      }
      if (!pending.tryAcquire()) {
        LOG.warn(
            "refused connection from {} to {}: more than {} handshakes pending",
            remoteOf(raw),
            purpose,
            MAX_PENDING_HANDSHAKES);
        closeQuietly(raw);
        continue;
      }
      Thread.ofVirtual().name("llep-handshake-" + purpose).start(() -> serve(raw));
    }
  }

  private void serve(SocketChannel raw) {
    String remote = remoteOf(raw);
    SecureChannel channel;
    byte[] identity;
    try {
      FramedSocket framed = new FramedSocket(raw);
      identity = Handshake.server(framed, secret, purpose, handshakeTimeout, handler::refusal);
      channel = new SecureChannel(framed);
    } catch (IOException | RuntimeException e) {
      closeQuietly(raw);
      if (!closed) {
        LOG.warn("refused connection from {} to {}: {}", remote, purpose, reason(e));
      }
      return;
    } finally {
      pending.release();
    }
    try {
      handler.handle(channel, identity);
    } catch (IOException | RuntimeException e) {
      channel.close();
      if (!closed) {
        LOG.warn("dropped connection from {} to {}: {}", remote, purpose, reason(e));
      }
    }
  }

  private static String reason(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String remoteOf(SocketChannel raw) {
    try {
      return String.valueOf(raw.getRemoteAddress());
    } catch (IOException e) {
      return "(unknown address)";
    }
  }

  private static void closeQuietly(SocketChannel raw) {
    try {
      raw.close();
    } catch (IOException ignored) {
      // Refusing anyway.
    }
  }

  /**
   * Stops accepting; connections already handed to the handler stay open (the handler owns them).
   */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // The listener is going away regardless.
    }
  }
}
