package ai.llep.comm.tcp;

import ai.llep.comm.CommException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;

/** Chooses the local address a rank listens on for its peers. */
final class BindHost {
  private BindHost() {}

  /**
   * {@code configured} if set; else loopback when the master is loopback; else the local address
   * the routing table uses to reach the master (a connected UDP socket sends nothing, it only asks
   * the kernel for the route).
   */
  static InetAddress resolve(String configured, String masterAddr, int masterPort) {
    try {
      if (!configured.isEmpty()) {
        InetAddress address = InetAddress.getByName(configured);
        if (address.isAnyLocalAddress()) {
          throw new CommException(
              "the tcp bind host must be an address peers can reach, not the wildcard "
                  + configured);
        }
        return address;
      }
      InetAddress master = InetAddress.getByName(masterAddr);
      if (master.isLoopbackAddress()) {
        return InetAddress.getByName("127.0.0.1");
      }
      try (DatagramSocket probe = new DatagramSocket()) {
        probe.connect(master, masterPort == 0 ? 9 : masterPort);
        InetAddress local = probe.getLocalAddress();
        if (local == null || local.isAnyLocalAddress()) {
          throw new CommException(
              "no local address routes to the master address "
                  + masterAddr
                  + "; set the tcp bind host explicitly");
        }
        return local;
      }
    } catch (IOException e) {
      throw new CommException(
          "cannot choose a bind address (bind host '"
              + configured
              + "', master "
              + masterAddr
              + "): "
              + e.getMessage(),
          e);
    }
  }
}
