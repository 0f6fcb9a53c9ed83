package ai.llep.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A peer retries what a flooded or late listener does to it (reset connections, no listener yet)
 * until its connect timeout, and gives up at once on a refusal with a reason.
 */
class ConnectRetryTest {
  private static final byte[] SECRET = JobSecret.parse(JobSecret.generateHex());
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void resetConnectionsAreRetriedUntilTheListenerAnswers() throws Exception {
    int port = FreePort.pick();
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    CompletableFuture<SecureChannel> peer;
    try (ServerSocket resetter = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      resetter.setSoTimeout(10_000); // a peer that gave up does not come back
      peer =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return SecureChannel.connect(address, SECRET, "test", new byte[0], LONG, LONG);
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      for (int resets = 0; resets < 3; resets++) {
        Socket socket;
        try {
          socket = resetter.accept();
        } catch (SocketTimeoutException e) {
          fail("the peer gave up after " + resets + " reset(s): " + peer.handle((c, t) -> t).get());
          return;
        }
        socket.setSoLinger(true, 0); // close with a reset, as a flooded listener may
        socket.close();
      }
    }
    try (SecureListener listener =
            SecureListener.open(address, SECRET, "test", LONG, (channel, identity) -> {});
        SecureChannel channel = peer.get(20, TimeUnit.SECONDS)) {
      assertTrue(channel.isOpen());
      assertEquals(listener.address(), address);
    }
  }

  @Test
  void aWrongSecretIsNotRetried() throws Exception {
    try (SecureListener listener =
        SecureListener.open(
            new InetSocketAddress("127.0.0.1", 0),
            SECRET,
            "test",
            LONG,
            (channel, identity) -> {})) {
      byte[] wrong = JobSecret.parse(JobSecret.generateHex());
      // The refusal itself, not a "could not connect within" after retrying it until the timeout.
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  SecureChannel.connect(
                      listener.address(), wrong, "test", new byte[0], LONG, LONG));
      assertEquals(
          "refused by " + listener.address() + ": authentication failed: wrong job secret",
          e.getMessage());
    }
  }
}
