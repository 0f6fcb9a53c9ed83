package ai.llep.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections on one address and authenticates each on its own virtual thread, bounded by a
 * short handshake timeout, so a silent or hostile client never holds up accept. Connections that
 * have not proven the secret yet are bounded: past {@value #MAX_UNAUTHENTICATED}, the oldest silent
 * one is dropped (see {@link PendingHandshakes}), so strangers cannot starve the listener and a
 * real peer, which retries a dropped connection, gets through. A connection that fails the
 * handshake or the handler's checks is closed; refusals of unauthenticated ones are logged without
 * flooding the log ({@link RefusalLog}), those of authenticated ones each at WARN. The listener
 * keeps serving.
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
     * The handshake of a connection that {@link #refusal} let through failed before {@link
     * #handle}: whatever {@code refusal} reserved for {@code identity} is free again.
     */
    default void abandoned(byte[] identity) {}

    /**
     * Takes ownership of {@code channel}; may run for the connection's lifetime. Throwing refuses
     * the connection: the listener logs the message and closes the channel.
     */
    void handle(SecureChannel channel, byte[] identity) throws IOException;
  }

  /** Connections that have not yet proven the secret, at most; the oldest is dropped beyond. */
  static final int MAX_UNAUTHENTICATED = 512;

  /**
   * Longest handshake a listener waits for. A real peer needs two round trips, and retries a
   * handshake the listener gave up on; a stranger holds a connection no longer than this.
   */
  private static final Duration MAX_HANDSHAKE = Duration.ofSeconds(3);

  private static final int BACKLOG = 1024;
  private static final Duration ACCEPT_FAILURE_PAUSE = Duration.ofMillis(100);
  private static final Logger LOG = LoggerFactory.getLogger(SecureListener.class);

  private final ServerSocketChannel server;
  private final byte[] secret;
  private final String purpose;
  private final Duration handshakeTimeout;
  private final Handler handler;
  private final PendingHandshakes pending;
  private final RefusalLog refusals;
  private final Thread acceptor;
  private volatile boolean closed;

  /** One handshake's progress, as its thread sees it. */
  private static final class Attempt {
    final PendingHandshakes.Entry entry;
    boolean proven;
    byte[] approved;

    Attempt(PendingHandshakes.Entry entry) {
      this.entry = entry;
    }
  }

  private SecureListener(
      ServerSocketChannel server,
      byte[] secret,
      String purpose,
      Duration handshakeTimeout,
      Handler handler,
      int maxUnauthenticated,
      Duration logInterval) {
    this.server = server;
    this.secret = secret.clone();
    this.purpose = purpose;
    this.handshakeTimeout = handshakeTimeout;
    this.handler = handler;
    this.pending = new PendingHandshakes(maxUnauthenticated);
    this.refusals = new RefusalLog(LOG, purpose, logInterval);
    this.acceptor =
        Thread.ofPlatform()
            .daemon()
            .name("llep-accept-" + purpose + "-" + server.socket().getLocalPort())
            .unstarted(this::acceptLoop);
  }

  /**
   * The handshake timeout for a job whose peers may take {@code connectTimeout} to show up: short,
   * since a peer retries a handshake the listener gave up on.
   */
  public static Duration handshakeTimeout(Duration connectTimeout) {
    return connectTimeout.compareTo(MAX_HANDSHAKE) < 0 ? connectTimeout : MAX_HANDSHAKE;
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
    return open(
        bind, secret, purpose, handshakeTimeout, handler, MAX_UNAUTHENTICATED, RefusalLog.INTERVAL);
  }

  /** {@link #open} with another bound on unauthenticated connections and logging interval. */
  static SecureListener open(
      InetSocketAddress bind,
      byte[] secret,
      String purpose,
      Duration handshakeTimeout,
      Handler handler,
      int maxUnauthenticated,
      Duration logInterval)
      throws IOException {
    Handshake.checkSecret(secret);
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.bind(bind, BACKLOG);
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot listen on " + bind + " for " + purpose + ": " + e, e);
    }
    SecureListener listener =
        new SecureListener(
            server, secret, purpose, handshakeTimeout, handler, maxUnauthenticated, logInterval);
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
          pause(ACCEPT_FAILURE_PAUSE);
        }
        continue;
      }
      PendingHandshakes.Entry entry = admit(raw);
      if (entry == null) {
        closeQuietly(raw);
        return;
      }
      Thread.ofVirtual().name("llep-handshake-" + purpose).start(() -> serve(entry));
    }
  }

  /** Registers {@code raw} among the pending handshakes; null once the listener is closed. */
  private PendingHandshakes.Entry admit(SocketChannel raw) {
    try {
      return pending.admit(raw, remoteOf(raw));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void serve(PendingHandshakes.Entry entry) {
    Attempt attempt = new Attempt(entry);
    SecureChannel channel;
    byte[] identity;
    pending.started(entry);
    try {
      FramedSocket framed = new FramedSocket(entry.raw);
      identity =
          Handshake.server(
              framed,
              secret,
              purpose,
              handshakeTimeout,
              () -> PendingHandshakes.greeted(entry),
              declared -> vet(attempt, declared));
      channel = new SecureChannel(framed);
    } catch (IOException | RuntimeException e) {
      closeQuietly(entry.raw);
      pending.remove(entry);
      if (attempt.approved != null) {
        handler.abandoned(attempt.approved);
      }
      refused(attempt, e);
      return;
    }
    try {
      handler.handle(channel, identity);
    } catch (IOException | RuntimeException e) {
      channel.close();
      if (!closed) {
        LOG.warn("dropped connection from {} to {}: {}", entry.remote, purpose, reason(e));
      }
    }
  }

  /** The client proved the secret: it leaves the bounded set, and the handler vets it. */
  private String vet(Attempt attempt, byte[] identity) {
    if (!pending.remove(attempt.entry)) {
      return "dropped to make room for newer connections";
    }
    attempt.proven = true;
    String refusal = handler.refusal(identity);
    if (refusal == null) {
      attempt.approved = identity;
    }
    return refusal;
  }

  private void refused(Attempt attempt, Exception e) {
    if (closed) {
      return;
    }
    if (attempt.proven) {
      LOG.warn("refused connection from {} to {}: {}", attempt.entry.remote, purpose, reason(e));
    } else if (attempt.entry.dropped()) {
      refusals.refused(
          attempt.entry.remote,
          "dropped for a newer connection, as "
              + pending.bound()
              + " had not proven the job secret");
    } else {
      refusals.refused(attempt.entry.remote, reason(e));
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
   * Stops accepting and closes the connections still in their handshake; connections already handed
   * to the handler stay open (the handler owns them).
   */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // The listener is going away regardless.
    }
    pending.closeAll();
    refusals.close();
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
