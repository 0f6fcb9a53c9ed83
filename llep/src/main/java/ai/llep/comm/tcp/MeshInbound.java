package ai.llep.comm.tcp;

import ai.llep.comm.CommException;
import ai.llep.runtime.SecureChannel;
import ai.llep.runtime.SecureListener;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Accepts the mesh connections of the higher ranks. A peer's identity (communicator generation, its
 * rank, the rank it addresses) is bound into its handshake proof, and checked before the handshake
 * completes: a wrong address, generation or a second connection from the same rank is refused with
 * a reason the peer sees and this rank logs.
 */
final class MeshInbound implements SecureListener.Handler {
  private static final int IDENTITY_BYTES = 16;

  private final int rank;
  private final int worldSize;
  private final long generation;
  private final boolean[] claimed;
  private final PeerLink[] accepted;
  private int arrived;
  private boolean closed;

  MeshInbound(int rank, int worldSize, long generation) {
    this.rank = rank;
    this.worldSize = worldSize;
    this.generation = generation;
    this.claimed = new boolean[worldSize];
    this.accepted = new PeerLink[worldSize];
  }

  static byte[] identity(long generation, int from, int to) {
    return ByteBuffer.allocate(IDENTITY_BYTES).putLong(generation).putInt(from).putInt(to).array();
  }

  @Override
  public synchronized String refusal(byte[] identity) {
    if (identity.length != IDENTITY_BYTES) {
      return "malformed mesh identity of " + identity.length + " bytes";
    }
    ByteBuffer in = ByteBuffer.wrap(identity);
    long theirGeneration = in.getLong();
    int from = in.getInt();
    int to = in.getInt();
    if (closed) {
      return "rank " + rank + " is no longer accepting connections";
    }
    if (theirGeneration != generation) {
      return "connection for communicator #"
          + theirGeneration
          + ", but rank "
          + rank
          + " is building #"
          + generation;
    }
    if (to != rank) {
      return "connection addressed to rank " + to + " reached rank " + rank;
    }
    if (from <= rank || from >= worldSize) {
      return "rank " + from + " may not connect to rank " + rank + " (higher ranks connect down)";
    }
    if (claimed[from]) {
      return "rank " + from + " is already connected to rank " + rank;
    }
    claimed[from] = true;
    return null;
  }

  /** The peer's handshake broke after it was vetted: it will retry, so its claim is released. */
  @Override
  public synchronized void abandoned(byte[] identity) {
    claimed[ByteBuffer.wrap(identity).getInt(8)] = false;
  }

  @Override
  public void handle(SecureChannel channel, byte[] identity) {
    int from = ByteBuffer.wrap(identity).getInt(8);
    synchronized (this) {
      if (closed) {
        channel.close();
        return;
      }
      accepted[from] = new PeerLink(rank, from, channel);
      arrived++;
      notifyAll();
    }
  }

  /** Waits for every higher rank, then moves their links into {@code links}. */
  synchronized void await(long deadlineNanos, Duration timeout, PeerLink[] links) {
    int expected = worldSize - 1 - rank;
    while (arrived < expected) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        throw new CommException(
            "timed out after "
                + TcpCommunicator.format(timeout)
                + " waiting for rank(s) "
                + missing()
                + " to connect to rank "
                + rank);
      }
      try {
        wait(left / 1_000_000, (int) (left % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommException("interrupted while building the mesh", e);
      }
    }
    for (int peer = rank + 1; peer < worldSize; peer++) {
      links[peer] = accepted[peer];
      accepted[peer] = null;
    }
  }

  private List<Integer> missing() {
    List<Integer> missing = new ArrayList<>();
    for (int peer = rank + 1; peer < worldSize; peer++) {
      if (accepted[peer] == null) {
        missing.add(peer);
      }
    }
    return missing;
  }

  /** Refuses later connections and closes links accepted but not yet handed over. */
  synchronized void close() {
    closed = true;
    for (PeerLink link : accepted) {
      if (link != null) {
        link.close();
      }
    }
  }
}
