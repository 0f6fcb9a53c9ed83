package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ranks do not run on alone once their launcher is gone, even when it was killed with SIGKILL. */
class LauncherDeathIT {
  /** Poll interval, JVM exit and slack for a loaded machine. */
  private static final Duration FEW_SECONDS = Duration.ofSeconds(8);

  @Test
  void ranksExitSoonAfterTheLauncherIsKilled(@TempDir Path dir) throws Exception {
    // Rank 1 stops answering and rank 0 waits on it for 10 minutes: both would run on.
    try (RunningLaunch launch =
        RunningLaunch.start(
            dir.resolve("output.txt"), 2, "comm-check", "debug.hang-rank=1", "comm.timeout=10m")) {
      assertTrue(
          launch.awaitOutput(
              out -> out.contains("rank 0 of 2 on") && out.contains("rank 1 stops answering"),
              Duration.ofMinutes(2)),
          launch.output());
      List<ProcessHandle> ranks = launch.ranks();
      assertEquals(2, ranks.size(), ranks.toString());
      long pid = launch.launcher().pid();

      launch.launcher().destroyForcibly(); // SIGKILL: the launcher can stop nothing
      long deadline = System.nanoTime() + FEW_SECONDS.toNanos();
      while (ranks.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(
          ranks.stream().noneMatch(ProcessHandle::isAlive),
          "ranks still running "
              + FEW_SECONDS
              + " after the launcher was killed\n"
              + launch.output());
      for (int rank = 0; rank < 2; rank++) {
        String line =
            "[rank "
                + rank
                + "] error: the launcher (pid "
                + pid
                + ") is gone, so rank "
                + rank
                + " stops rather than run on alone";
        assertTrue(
            launch.awaitOutput(out -> out.contains(line), Duration.ofSeconds(5)), launch.output());
      }
    }
  }
}
