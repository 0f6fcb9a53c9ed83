package ai.llep.runtime;

import ai.llep.comm.CommException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** Opens the job's {@link RendezvousStore}: hosted by rank 0 on {@code MASTER_ADDR:MASTER_PORT}. */
public final class Rendezvous {
  private Rendezvous() {}

  /**
   * On rank 0, starts the store server bound to the master address's interface only, then connects
   * to it; on other ranks, connects, retrying until {@code timeout} since rank 0 may start late. A
   * single-process world gets an in-memory store and opens no socket.
   *
   * @throws CommException when the store cannot be hosted or reached, or refuses the secret
   */
  public static RendezvousStore open(WorldInfo world, byte[] secret, Duration timeout) {
    Handshake.checkSecret(secret);
    if (world.worldSize() == 1) {
      return new LocalStore();
    }
    if (world.masterPort() == 0) {
      throw new IllegalArgumentException(
          "MASTER_PORT must be set to a fixed port for a world of " + world.worldSize());
    }
    InetSocketAddress master = new InetSocketAddress(world.masterAddr(), world.masterPort());
    if (master.isUnresolved()) {
      throw new CommException("MASTER_ADDR=" + world.masterAddr() + " does not resolve");
    }
    Duration handshake = SecureListener.handshakeTimeout(timeout);
    TcpStoreServer server = world.rank() == 0 ? host(master, secret, handshake) : null;
    try {
      return TcpStoreClient.connect(master, secret, timeout, handshake, server);
    } catch (RuntimeException e) {
      if (server != null) {
        server.close();
      }
      throw e;
    }
  }

  private static TcpStoreServer host(InetSocketAddress master, byte[] secret, Duration handshake) {
    try {
      return TcpStoreServer.start(master, secret, handshake);
    } catch (IOException e) {
      throw new CommException(
          "rank 0 cannot host the rendezvous store on "
              + master
              + " (MASTER_ADDR must be an address of rank 0's host and MASTER_PORT free): "
              + e.getMessage(),
          e);
    }
  }
}
