package ai.llep.runtime;

import ai.llep.comm.CommException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection to the rendezvous store. Requests are serialized; each waits for its reply at most
 * the request's own timeout plus {@link #REPLY_GRACE}, so a dead store becomes an error, not a
 * hang.
 */
final class TcpStoreClient implements RendezvousStore {
  static final Duration REPLY_GRACE = Duration.ofSeconds(10);

  private final SecureChannel channel;
  private final String address;
  private final AutoCloseable owned;
  private final ReentrantLock lock = new ReentrantLock();

  private TcpStoreClient(SecureChannel channel, String address, AutoCloseable owned) {
    this.channel = channel;
    this.address = address;
    this.owned = owned;
  }

  /**
   * Connects, retrying until {@code connectTimeout} while the server is not up yet. {@code owned}
   * (may be null) is closed with this client: rank 0 hands over its server.
   */
  static TcpStoreClient connect(
      InetSocketAddress server,
      byte[] secret,
      Duration connectTimeout,
      Duration handshakeTimeout,
      AutoCloseable owned) {
    try {
      SecureChannel channel =
          SecureChannel.connect(
              server,
              secret,
              TcpStoreServer.PURPOSE,
              new byte[0],
              connectTimeout,
              handshakeTimeout);
      return new TcpStoreClient(channel, server.toString(), owned);
    } catch (IOException e) {
      throw new CommException(
          "cannot reach the rendezvous store at " + server + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void set(String key, byte[] value) {
    call(StoreProtocol.SET, StoreProtocol.set(key, value), Duration.ZERO, "setting key", key);
  }

  @Override
  public byte[] get(String key, Duration timeout) {
    ByteBuffer request = StoreProtocol.withNumber(timeout.toMillis(), key);
    ByteBuffer reply = call(StoreProtocol.GET, request, timeout, "waiting for key", key);
    return StoreProtocol.rest(reply);
  }

  @Override
  public void waitFor(List<String> keys, Duration timeout) {
    if (keys.isEmpty()) {
      return;
    }
    ByteBuffer request = StoreProtocol.waitFor(timeout.toMillis(), keys);
    call(StoreProtocol.WAIT, request, timeout, "waiting for keys", String.join("', '", keys));
  }

  @Override
  public long add(String key, long delta) {
    ByteBuffer request = StoreProtocol.withNumber(delta, key);
    ByteBuffer reply = call(StoreProtocol.ADD, request, Duration.ZERO, "adding to key", key);
    if (reply.remaining() != 8) {
      throw new CommException("malformed reply from the rendezvous store at " + address);
    }
    return reply.getLong();
  }

  private ByteBuffer call(
      byte type, ByteBuffer request, Duration timeout, String what, String key) {
    lock.lock();
    try {
      channel.send(type, REPLY_GRACE, request);
      Frame reply = channel.receive(StoreProtocol.MAX_FRAME, timeout.plus(REPLY_GRACE));
      return switch (reply.type()) {
        case StoreProtocol.OK -> reply.payload();
        case StoreProtocol.MISSING ->
            throw new CommException(
                "timed out after "
                    + Durations.format(timeout)
                    + " waiting for key '"
                    + StandardCharsets.UTF_8.decode(reply.payload())
                    + "' in the rendezvous store at "
                    + address);
        case StoreProtocol.ERROR ->
            throw new CommException(
                "the rendezvous store at "
                    + address
                    + " refused "
                    + what
                    + " '"
                    + key
                    + "': "
                    + StandardCharsets.UTF_8.decode(reply.payload()));
        default ->
            throw new CommException(
                "unexpected reply type "
                    + reply.type()
                    + " from the rendezvous store at "
                    + address);
      };
    } catch (IOException e) {
      channel.close();
      throw new CommException(
          "lost the rendezvous store at "
              + address
              + " while "
              + what
              + " '"
              + key
              + "': "
              + e.getMessage(),
          e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    channel.close();
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        throw new CommException("failed to stop the rendezvous store at " + address, e);
      }
    }
  }
}
