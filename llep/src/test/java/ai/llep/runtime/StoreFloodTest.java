package ai.llep.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Strangers without the secret cannot starve the rendezvous store: while 500 silent and 500
 * garbage-sending connections are held open from the moment it listens, every rank still reaches
 * it, and the refusals take a few log lines, not one per connection.
 */
class StoreFloodTest {
  private static final byte[] SECRET = JobSecret.parse(JobSecret.generateHex());
  private static final Duration CONNECT = Duration.ofSeconds(30);
  private static final int RANKS = 3;

  @Test
  void ranksReachTheStoreThroughAFloodOfIdleAndGarbageConnections() throws Exception {
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", FreePort.pick());
    List<String> warnings;
    try (LogCapture logs = new LogCapture()) {
      try (Flood flood = Flood.start(address, 500, 500);
          TcpStoreServer server =
              TcpStoreServer.start(address, SECRET, SecureListener.handshakeTimeout(CONNECT))) {
        awaitFullForce(flood);
        runRanks(address);
        assertTrue(flood.connections() >= 1000, flood.connections() + " flood connections");
      }
      warnings = logs.lines();
    }
    List<String> refusals = warnings.stream().filter(l -> l.contains("to store")).toList();
    assertTrue(refusals.size() <= 6, "refusals flood the log:\n" + String.join("\n", refusals));
    assertTrue(
        refusals.stream()
            .anyMatch(
                l ->
                    l.matches(
                        "WARN refused \\d+ more unauthenticated connections to store in the last"
                            + " 10s \\(last from /127\\.0\\.0\\.1:\\d+: .+\\)")),
        String.join("\n", warnings));
  }

  private static void awaitFullForce(Flood flood) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (flood.connections() < 1000 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /** Every rank connects during the flood, publishes a value and reads everyone's. */
  private static void runRanks(InetSocketAddress address) throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(RANKS)) {
      List<Future<?>> ranks = new ArrayList<>();
      for (int rank = 0; rank < RANKS; rank++) {
        byte[] value = {(byte) rank};
        ranks.add(
            pool.submit(
                () -> {
                  try (RendezvousStore store =
                      TcpStoreClient.connect(
                          address,
                          SECRET,
                          CONNECT,
                          SecureListener.handshakeTimeout(CONNECT),
                          null)) {
                    store.set("rank/" + value[0], value);
                    for (int peer = 0; peer < RANKS; peer++) {
                      assertArrayEquals(
                          new byte[] {(byte) peer}, store.get("rank/" + peer, CONNECT));
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> rank : ranks) {
        rank.get(60, TimeUnit.SECONDS);
      }
    }
  }
}
