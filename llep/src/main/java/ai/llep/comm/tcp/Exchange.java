package ai.llep.comm.tcp;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.CommException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The messages of one operation on one rank: what it sends, which peers it still awaits, and the
 * checks on what arrives. A send that fails does not stop the sends to other peers, so live peers
 * still get their data and find the failure themselves. While waiting for one peer, the exchange
 * also watches the others it awaits: one that died with nothing queued is reported at once, rather
 * than after a timeout on an innocent peer.
 */
final class Exchange {
  private static final long SLICE_NANOS = Duration.ofMillis(50).toNanos();

  private final Mesh mesh;
  private final int rank;
  private final OpKind kind;
  private final long seq;
  private final Duration timeout;
  private final long deadlineNanos;
  private final int[] pending;
  private CommException sendFailure;

  Exchange(Mesh mesh, int rank, int worldSize, OpKind kind, long seq, Duration timeout) {
    this.mesh = mesh;
    this.rank = rank;
    this.kind = kind;
    this.seq = seq;
    this.timeout = timeout;
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    this.pending = new int[worldSize];
  }

  void expectFrom(int peer) {
    if (peer != rank) {
      pending[peer]++;
    }
  }

  void expectFromEveryPeer() {
    for (int peer = 0; peer < pending.length; peer++) {
      expectFrom(peer);
    }
  }

  /** Sends one collective message; failures are held until {@link #finishSends()}. */
  void send(int peer, Shape shape, DataType dataType, ByteBuffer data) {
    sendTagged(peer, seq, shape, dataType, data);
  }

  void sendTagged(int peer, long tag, Shape shape, DataType dataType, ByteBuffer data) {
    ByteBuffer header = WireTensor.header(kind, tag, dataType, shape);
    try {
      mesh.link(peer).send(kind, timeout, header, data.duplicate());
    } catch (CommException e) {
      if (sendFailure == null) {
        sendFailure = e;
      }
    }
  }

  /** Throws the first send failure, once every send was attempted. */
  void finishSends() {
    if (sendFailure != null) {
      throw sendFailure;
    }
  }

  /** The collective message from {@code peer}, checked for op, number, shape and dtype. */
  WireTensor receive(int peer, Shape shape, DataType dataType) {
    WireTensor m = take(peer);
    if (m.op() != kind || m.seq() != seq) {
      throw new CommException(
          "collective order mismatch: rank "
              + rank
              + " is in "
              + kind
              + " #"
              + seq
              + ", but rank "
              + peer
              + " sent "
              + describe(m));
    }
    return checkShape(m, peer, shape, dataType);
  }

  /** The point-to-point message number {@code expected} from {@code peer}. */
  WireTensor receiveP2p(int peer, long expected, Shape shape, DataType dataType) {
    WireTensor m = take(peer);
    if (m.op() != OpKind.SEND_RECV || m.seq() != expected) {
      throw new CommException(
          "send-recv mismatch: rank "
              + rank
              + " expects point-to-point message #"
              + expected
              + " from rank "
              + peer
              + ", but rank "
              + peer
              + " sent "
              + describe(m));
    }
    return checkShape(m, peer, shape, dataType);
  }

  private WireTensor take(int peer) {
    PeerLink link = mesh.link(peer);
    while (true) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        throw new CommException(
            "timed out after "
                + TcpCommunicator.format(timeout)
                + " waiting for rank "
                + peer
                + " in "
                + kind);
      }
      WireTensor m = link.poll(kind, Math.min(left, SLICE_NANOS));
      if (m != null) {
        pending[peer]--;
        return m;
      }
      for (int other = 0; other < pending.length; other++) {
        CommException dead =
            pending[other] > 0 ? mesh.link(other).brokenWithNothingQueued(kind) : null;
        if (dead != null) {
          throw dead;
        }
      }
    }
  }

  private WireTensor checkShape(WireTensor m, int peer, Shape shape, DataType dataType) {
    if (!m.shape().equals(shape) || m.dataType() != dataType) {
      throw new CommException(
          "rank "
              + peer
              + " sent "
              + m.describe()
              + " in "
              + describe(m)
              + ", but rank "
              + rank
              + " expects "
              + shape
              + " "
              + dataType);
    }
    return m;
  }

  private static String describe(WireTensor m) {
    return m.op() == OpKind.SEND_RECV
        ? "point-to-point message #" + m.seq()
        : m.op() + " #" + m.seq();
  }
}
