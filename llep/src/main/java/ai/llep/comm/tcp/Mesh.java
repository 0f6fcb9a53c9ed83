package ai.llep.comm.tcp;

import ai.llep.comm.CommException;
import ai.llep.runtime.RendezvousStore;
import ai.llep.runtime.SecureChannel;
import ai.llep.runtime.SecureListener;
import ai.llep.runtime.WorldInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The full mesh of authenticated connections, one per pair of ranks: each rank listens on an
 * ephemeral port, publishes it in the store, connects to every lower rank and accepts every higher
 * one. The listener stays open, refusing (and logging) whatever else connects.
 */
final class Mesh implements AutoCloseable {
  static final String PURPOSE = "mesh";

  private final SecureListener listener;
  private final MeshInbound inbound;
  private final PeerLink[] links;

  private Mesh(SecureListener listener, MeshInbound inbound, PeerLink[] links) {
    this.listener = listener;
    this.inbound = inbound;
    this.links = links;
  }

  static Mesh build(WorldInfo world, RendezvousStore store, byte[] secret, TcpOptions options) {
    int rank = world.rank();
    long deadline = System.nanoTime() + options.connectTimeout().toNanos();
    // Ranks build communicators in the same order, so each rank's own count names this one.
    long generation = store.add("llep/tcp/instances/rank" + rank, 1);
    String prefix = "llep/tcp/" + generation + "/addr/";
    InetAddress bindAddress =
        BindHost.resolve(options.bindHost(), world.masterAddr(), world.masterPort());
    Duration handshake = SecureListener.handshakeTimeout(options.connectTimeout());
    MeshInbound inbound = new MeshInbound(rank, world.worldSize(), generation);
    SecureListener listener;
    try {
      listener =
          SecureListener.open(
              new InetSocketAddress(bindAddress, 0), secret, PURPOSE, handshake, inbound);
    } catch (IOException e) {
      throw new CommException(
          "rank " + rank + " cannot listen for its peers: " + e.getMessage(), e);
    }
    PeerLink[] links = new PeerLink[world.worldSize()];
    try {
      InetSocketAddress own = listener.address();
      store.set(prefix + rank, encode(own));
      for (int peer = 0; peer < rank; peer++) {
        Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        InetSocketAddress address = decode(store.get(prefix + peer, left), peer);
        byte[] identity = MeshInbound.identity(generation, rank, peer);
        try {
          SecureChannel channel =
              SecureChannel.connect(address, secret, PURPOSE, identity, left, handshake);
          links[peer] = new PeerLink(rank, peer, channel);
        } catch (IOException e) {
          throw new CommException(
              "rank "
                  + rank
                  + " cannot connect to rank "
                  + peer
                  + " at "
                  + address
                  + ": "
                  + e.getMessage(),
              e);
        }
      }
      inbound.await(deadline, options.connectTimeout(), links);
      return new Mesh(listener, inbound, links);
    } catch (RuntimeException e) {
      listener.close();
      inbound.close();
      closeAll(links);
      throw e;
    }
  }

  InetSocketAddress address() {
    return listener.address();
  }

  PeerLink link(int peer) {
    return links[peer];
  }

  @Override
  public void close() {
    listener.close();
    inbound.close();
    closeAll(links);
  }

  private static void closeAll(PeerLink[] links) {
    for (PeerLink link : links) {
      if (link != null) {
        link.close();
      }
    }
  }

  private static byte[] encode(InetSocketAddress address) {
    return (address.getAddress().getHostAddress() + ":" + address.getPort())
        .getBytes(StandardCharsets.UTF_8);
  }

  private static InetSocketAddress decode(byte[] value, int peer) {
    String text = new String(value, StandardCharsets.UTF_8);
    int colon = text.lastIndexOf(':');
    try {
      return new InetSocketAddress(
          text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (RuntimeException e) {
      throw new CommException("rank " + peer + " published a malformed address '" + text + "'", e);
    }
  }
}
