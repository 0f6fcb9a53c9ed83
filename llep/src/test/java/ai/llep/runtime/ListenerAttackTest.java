package ai.llep.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The store refuses and logs broken or hostile clients, and keeps serving the real ones. */
class ListenerAttackTest {
  private static final byte[] SECRET = JobSecret.parse(JobSecret.generateHex());
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration HANDSHAKE = Duration.ofMillis(1500);
  private static final String[] REASONS = {
    "to store: authentication failed: wrong job secret",
    "to store: this port serves 'store', not 'mesh'",
    "to store: closed the connection during the handshake",
    "to store: bad frame magic 0x58",
    "to store: frame length 2147483647 is over the bound of 512 bytes",
    "to store: unexpected frame type 99 during the handshake (expected 1)",
    "to store: no complete handshake within 1500ms"
  };

  @Test
  void hostileClientsAreRefusedLoggedAndHarmless() throws Exception {
    List<String> warnings;
    try (LogCapture logs = LogCapture.withDebugOf(SecureListener.class)) {
      try (TcpStoreServer server =
          TcpStoreServer.start(new InetSocketAddress("127.0.0.1", 0), SECRET, HANDSHAKE)) {
        InetSocketAddress address = server.address();
        try (Socket silent = Attacks.silent(address);
            RendezvousStore store = client(server)) {
          // Accept is not held up by the silent client, which is still inside its handshake.
          assertTrue(silent.isConnected());
          store.set("k", new byte[] {1});
          assertArrayEquals(new byte[] {1}, store.get("k", WAIT));
          assertNull(find(logs, l -> l.contains("timed out")));

          assertEquals(
              "refused by " + address + ": authentication failed: wrong job secret",
              Attacks.wrongSecret(address, "store", new byte[0]).getMessage());
          assertEquals(
              "refused by " + address + ": this port serves 'store', not 'mesh'",
              Attacks.rightSecret(address, SECRET, "mesh", new byte[0]).getMessage());
          Attacks.connectAndClose(address);
          Attacks.garbage(address, 42);
          Attacks.oversizedFrame(address);
          Attacks.unknownFrameType(address);

          String prefix = "DEBUG refused connection from /127.0.0.1:";
          for (String reason : REASONS) {
            String line = logs.await(l -> l.startsWith(prefix) && l.contains(reason), WAIT);
            assertNotNull(line, "no log line with: " + reason + "\n" + logs.lines());
          }
          assertArrayEquals(new byte[] {1}, store.get("k", WAIT));
        }
      }
      warnings = logs.lines().stream().filter(l -> l.startsWith("WARN")).toList();
    }
    // The first refusal in full, the others summed up (at the latest when the server closes).
    assertTrue(
        warnings.getFirst().startsWith("WARN refused connection from /127.0.0.1:"),
        warnings::toString);
    assertTrue(warnings.size() <= 3, warnings::toString);
    assertEquals(REASONS.length, Attacks.refusalsWarned(warnings, "store"), warnings::toString);
  }

  @Test
  void anAuthenticatedClientSendingJunkIsDroppedAlone() throws Exception {
    try (LogCapture logs = new LogCapture();
        TcpStoreServer server =
            TcpStoreServer.start(new InetSocketAddress("127.0.0.1", 0), SECRET, HANDSHAKE);
        RendezvousStore good = client(server);
        SecureChannel junk =
            SecureChannel.connect(server.address(), SECRET, "store", new byte[0], WAIT, WAIT)) {
      junk.send((byte) 99, WAIT, ByteBuffer.allocate(3));
      assertNotNull(logs.await(l -> l.contains("unknown store request type 99"), WAIT));
      good.set("still", new byte[] {2});
      assertArrayEquals(new byte[] {2}, good.get("still", WAIT));
    }
  }

  private static RendezvousStore client(TcpStoreServer server) {
    return TcpStoreClient.connect(server.address(), SECRET, WAIT, WAIT, null);
  }

  private static String find(LogCapture logs, Predicate<String> match) {
    return logs.lines().stream().filter(match).findFirst().orElse(null);
  }
}
