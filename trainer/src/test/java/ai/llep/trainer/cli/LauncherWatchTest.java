package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LauncherWatchTest {
  @Test
  void theLauncherPidIsReadWhereTheLauncherSetsIt() {
    assertEquals(Optional.empty(), LauncherWatch.launcherPid(Map.of()));
    assertEquals(
        Optional.of(4242L), LauncherWatch.launcherPid(Map.of("LLEP_LAUNCHER_PID", "4242")));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LauncherWatch.launcherPid(Map.of("LLEP_LAUNCHER_PID", "launcher")));
    assertEquals(
        "LLEP_LAUNCHER_PID='launcher' is not a process id (scripts/launch.sh sets it to its own)",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> LauncherWatch.launcherPid(Map.of("LLEP_LAUNCHER_PID", "0")));
  }

  @Test
  void noticesTheLauncherGoneWithinAPoll() throws Exception {
    Process launcher = new ProcessBuilder("sleep", "60").start();
    try {
      CountDownLatch gone = new CountDownLatch(1);
      LauncherWatch.watch(launcher.pid(), gone::countDown);
      assertFalse(gone.await(3 * LauncherWatch.POLL.toMillis(), TimeUnit.MILLISECONDS));
      launcher.destroyForcibly().waitFor();
      assertTrue(gone.await(10 * LauncherWatch.POLL.toMillis(), TimeUnit.MILLISECONDS));
    } finally {
      launcher.destroyForcibly();
    }
  }

  @Test
  void aLauncherAlreadyGoneIsNoticedAtOnce() throws Exception {
    Process launcher = new ProcessBuilder("true").start();
    launcher.waitFor();
    CountDownLatch gone = new CountDownLatch(1);
    LauncherWatch.watch(launcher.pid(), gone::countDown);
    assertTrue(gone.await(10 * LauncherWatch.POLL.toMillis(), TimeUnit.MILLISECONDS));
  }
}
