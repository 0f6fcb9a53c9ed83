package ai.llep.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Connections that have not proven the secret are bounded: past the bound the oldest silent one is
 * dropped at once, one that already said hello is kept, and a real peer gets through.
 */
class ListenerBoundTest {
  private static final byte[] SECRET = JobSecret.parse(JobSecret.generateHex());
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final int BOUND = 4;

  @Test
  void theOldestSilentConnectionIsDroppedForANewOne() throws Exception {
    LinkedBlockingQueue<SecureChannel> accepted = new LinkedBlockingQueue<>();
    List<Socket> idle = new ArrayList<>();
    try (LogCapture logs = new LogCapture();
        SecureListener listener =
            SecureListener.open(
                new InetSocketAddress("127.0.0.1", 0),
                SECRET,
                "test",
                LONG,
                (channel, identity) -> accepted.add(channel),
                BOUND,
                Duration.ZERO);
        Socket greeted = Attacks.helloThenSilent(listener.address(), "test")) {
      InetSocketAddress address = listener.address();
      for (int i = 0; i < BOUND; i++) {
        idle.add(Attacks.silent(address));
      }
      // One over the bound: the oldest silent connection goes, long before any timeout.
      assertHungUp(idle.get(0));
      assertStillOpen(greeted);

      try (SecureChannel peer =
          SecureChannel.connect(address, SECRET, "test", new byte[0], LONG, LONG)) {
        assertTrue(peer.isOpen());
        assertNotNull(accepted.poll(10, TimeUnit.SECONDS), "the listener handed over the peer");
      }
      assertHungUp(idle.get(1));
      assertStillOpen(greeted);
      assertStillOpen(idle.get(2));
      String line =
          logs.await(
              l ->
                  l.endsWith(
                      "to test: dropped for a newer connection, as 4 had not proven the job secret"),
              LONG);
      assertNotNull(line, logs.lines().toString());
      assertTrue(line.startsWith("WARN refused connection from /127.0.0.1:"), line);
    } finally {
      for (Socket socket : idle) {
        socket.close();
      }
      for (SecureChannel channel : accepted) {
        channel.close();
      }
    }
  }

  private static void assertHungUp(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    try {
      assertEquals(-1, socket.getInputStream().read(), "the listener sent data");
    } catch (java.net.SocketException reset) {
      // A reset is a hang-up too.
    }
  }

  private static void assertStillOpen(Socket socket) throws IOException {
    socket.setSoTimeout(200);
    assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read());
  }
}
