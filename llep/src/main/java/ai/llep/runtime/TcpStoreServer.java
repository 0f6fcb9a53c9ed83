package ai.llep.runtime;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rendezvous store's server, hosted by rank 0. Each authenticated client is served on its own
 * thread, one request at a time; a blocking GET or WAIT holds only that client's thread.
 */
final class TcpStoreServer implements AutoCloseable {
  static final String PURPOSE = "store";

  private static final Logger LOG = LoggerFactory.getLogger(TcpStoreServer.class);
  private static final long MAX_WAIT_MILLIS = Duration.ofDays(1).toMillis();

  private final KeyValueTable table = new KeyValueTable();
  private final Set<SecureChannel> clients = ConcurrentHashMap.newKeySet();
  private final SecureListener listener;
  private volatile boolean closed;

  private TcpStoreServer(InetSocketAddress bind, byte[] secret, Duration handshakeTimeout)
      throws IOException {
    this.listener = SecureListener.open(bind, secret, PURPOSE, handshakeTimeout, this::serve);
  }

  /** Listens on exactly {@code bind} (its interface only, never the wildcard address). */
  static TcpStoreServer start(InetSocketAddress bind, byte[] secret, Duration handshakeTimeout)
      throws IOException {
    if (bind.getAddress() == null || bind.getAddress().isAnyLocalAddress()) {
      throw new IllegalArgumentException(
          "the rendezvous store binds one interface, not the wildcard address: " + bind);
    }
    return new TcpStoreServer(bind, secret, handshakeTimeout);
  }

  InetSocketAddress address() {
    return listener.address();
  }

  private void serve(SecureChannel channel, byte[] identity) throws IOException {
    clients.add(channel);
    try {
      while (!closed) {
        var request = channel.receive(StoreProtocol.MAX_FRAME, null);
        answer(channel, request.type(), request.payload());
      }
    } catch (EOFException | ClosedChannelException e) {
      LOG.debug("store client {} disconnected", channel.remote());
    } finally {
      clients.remove(channel);
      channel.close();
    }
  }

  private void answer(SecureChannel channel, byte type, ByteBuffer payload) throws IOException {
    try {
      switch (type) {
        case StoreProtocol.SET -> {
          String key = StoreProtocol.readKey(payload);
          table.set(key, StoreProtocol.rest(payload));
          channel.send(StoreProtocol.OK, null, ByteBuffer.allocate(0));
        }
        case StoreProtocol.GET -> {
          long deadline = deadline(StoreProtocol.readLong(payload));
          String key = StoreProtocol.readKey(payload);
          byte[] value = table.get(key, deadline);
          if (value == null) {
            channel.send(StoreProtocol.MISSING, null, StoreProtocol.text(key));
          } else {
            channel.send(StoreProtocol.OK, null, ByteBuffer.wrap(value));
          }
        }
        case StoreProtocol.ADD -> {
          long delta = StoreProtocol.readLong(payload);
          long value = table.add(StoreProtocol.readKey(payload), delta);
          channel.send(StoreProtocol.OK, null, ByteBuffer.allocate(8).putLong(value).flip());
        }
        case StoreProtocol.WAIT -> {
          long deadline = deadline(StoreProtocol.readLong(payload));
          List<String> keys = StoreProtocol.readKeys(payload);
          String missing = table.awaitAll(keys, deadline);
          if (missing == null) {
            channel.send(StoreProtocol.OK, null, ByteBuffer.allocate(0));
          } else {
            channel.send(StoreProtocol.MISSING, null, StoreProtocol.text(missing));
          }
        }
        default -> throw new ProtocolException("unknown store request type " + type);
      }
    } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
      channel.send(StoreProtocol.ERROR, null, StoreProtocol.text(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClosedChannelException();
    }
  }

  private static long deadline(long timeoutMillis) throws ProtocolException {
    if (timeoutMillis < 0) {
      throw new ProtocolException("malformed store request: negative timeout " + timeoutMillis);
    }
    return System.nanoTime() + Math.min(timeoutMillis, MAX_WAIT_MILLIS) * 1_000_000;
  }

  /** Stops accepting, wakes blocked requests and drops every client. */
  @Override
  public void close() {
    closed = true;
    listener.close();
    table.close();
    for (SecureChannel client : clients) {
      client.close();
    }
  }
}
