package ai.llep.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Which connection makes room at the bound, and when admission waits instead. */
class PendingHandshakesTest {
  @Test
  void theOldestSilentOneIsDroppedThenTheOldestThatSaidHello() throws Exception {
    PendingHandshakes pending = new PendingHandshakes(3);
    PendingHandshakes.Entry hello = started(pending, true);
    PendingHandshakes.Entry silentOld = started(pending, false);
    PendingHandshakes.Entry silentNew = started(pending, false);

    PendingHandshakes.Entry fourth = started(pending, true);
    assertDropped(silentOld);
    assertFalse(hello.dropped());
    PendingHandshakes.Entry fifth = started(pending, true);
    assertDropped(silentNew);

    started(pending, true); // all said hello: the oldest of them goes
    assertDropped(hello);
    assertFalse(fourth.dropped() || fifth.dropped());
    assertEquals(3, pending.size());
  }

  @Test
  void admissionWaitsWhileHandshakeThreadsHaveNotLooked() throws Exception {
    PendingHandshakes pending = new PendingHandshakes(2);
    PendingHandshakes.Entry unread = pending.admit(SocketChannel.open(), "a");
    PendingHandshakes.Entry hello = started(pending, true);
    CompletableFuture<PendingHandshakes.Entry> third =
        CompletableFuture.supplyAsync(() -> admit(pending));
    assertWaits(third);
    pending.started(unread); // its thread looked and found nothing: it goes
    assertTrue(third.get(5, TimeUnit.SECONDS) != null);
    assertDropped(unread);
    assertFalse(hello.dropped());

    CompletableFuture<PendingHandshakes.Entry> fourth =
        CompletableFuture.supplyAsync(() -> admit(pending));
    assertWaits(fourth); // the third has not been looked at yet
    assertTrue(pending.remove(hello)); // proven: room for one more
    assertTrue(fourth.get(5, TimeUnit.SECONDS) != null);
    assertFalse(pending.remove(hello));

    CompletableFuture<PendingHandshakes.Entry> fifth =
        CompletableFuture.supplyAsync(() -> admit(pending));
    assertWaits(fifth);
    pending.closeAll();
    assertNull(fifth.get(5, TimeUnit.SECONDS));
    assertEquals(0, pending.size());
  }

  private static PendingHandshakes.Entry started(PendingHandshakes pending, boolean greeted)
      throws Exception {
    PendingHandshakes.Entry entry = pending.admit(SocketChannel.open(), "peer");
    pending.started(entry);
    if (greeted) {
      PendingHandshakes.greeted(entry);
    }
    return entry;
  }

  private static PendingHandshakes.Entry admit(PendingHandshakes pending) {
    try {
      return pending.admit(SocketChannel.open(), "late");
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertDropped(PendingHandshakes.Entry entry) {
    assertTrue(entry.dropped());
    assertFalse(entry.raw.isOpen());
  }

  private static void assertWaits(CompletableFuture<?> admission) throws Exception {
    try {
      admission.get(300, TimeUnit.MILLISECONDS);
      throw new AssertionError("admitted at the bound: " + admission.get());
    } catch (TimeoutException expected) {
      // Still waiting, as it should.
    }
  }
}
