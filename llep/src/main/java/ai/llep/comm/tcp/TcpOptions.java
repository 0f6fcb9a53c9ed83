package ai.llep.comm.tcp;

import java.time.Duration;

/**
 * Settings of the TCP communicator.
 *
 * @param timeout bound on every collective: a peer silent for this long is reported by rank
 * @param connectTimeout bound on building the mesh (peers may start late)
 * @param bindHost the address to listen on; empty picks the local address that reaches the master
 *     address ({@code 127.0.0.1} when the master is loopback)
 */
public record TcpOptions(Duration timeout, Duration connectTimeout, String bindHost) {
  public TcpOptions {
    requirePositive("timeout", timeout);
    requirePositive("connectTimeout", connectTimeout);
    if (bindHost == null) {
      throw new IllegalArgumentException("bindHost must not be null (use \"\" to pick one)");
    }
    bindHost = bindHost.strip();
  }

  /** Ten minutes per collective, five to connect, bind host picked automatically. */
  public static TcpOptions defaults() {
    return new TcpOptions(Duration.ofMinutes(10), Duration.ofMinutes(5), "");
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
    }
  }
}
