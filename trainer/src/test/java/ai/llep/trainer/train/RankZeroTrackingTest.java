package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.llep.trainer.tracking.ReopenedRun;
import ai.llep.trainer.tracking.RunRef;
import ai.llep.trainer.tracking.RunStatus;
import ai.llep.trainer.tracking.Tracker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tracking errors never stop training, and never keep a run RUNNING after it ended. */
class RankZeroTrackingTest {
  /** A store whose disk is full from the first parameter on. */
  static final class FullDisk implements Tracker {
    final List<RunStatus> finished = new ArrayList<>();

    @Override
    public RunRef startRun(String experimentName, String runName, Map<String, String> tags) {
      return new RunRef("0", "f".repeat(32), "memory:");
    }

    @Override
    public Optional<ReopenedRun> reopenRun(String runId) {
      return Optional.empty();
    }

    @Override
    public void logParams(Map<String, String> params) {
      throw new UncheckedIOException(new IOException("No space left on device"));
    }

    @Override
    public void logMetrics(long step, Map<String, Double> metrics) {
      throw new UncheckedIOException(new IOException("No space left on device"));
    }

    @Override
    public void setTag(String key, String value) {}

    @Override
    public void logArtifact(String name, byte[] content) {}

    @Override
    public void logArtifact(String name, Path source) {}

    @Override
    public void finish(RunStatus status) {
      finished.add(status);
    }

    @Override
    public void close() {}
  }

  @Test
  void aRunWhoseTrackingFailedStillEndsFailedWhenTrainingFails() {
    FullDisk store = new FullDisk();
    try (RankZeroTracking tracking =
        new RankZeroTracking(store, new RunTracking("", "x", "full"), Map.of("a", "1"), "")) {
      tracking.start(10, Optional.empty(), 0);
      assertEquals(Optional.empty(), tracking.runId(), "tracking gave up on this run");
      tracking.fail();
      tracking.fail();
    }
    assertEquals(List.of(RunStatus.FAILED), store.finished);
  }

  @Test
  void aRunWhoseTrackingFailedStillEndsWithItsStatus() {
    FullDisk store = new FullDisk();
    try (RankZeroTracking tracking =
        new RankZeroTracking(store, new RunTracking("", "x", "full"), Map.of("a", "1"), "")) {
      tracking.start(10, Optional.empty(), 0);
      tracking.finish(RunStatus.KILLED);
    }
    assertEquals(List.of(RunStatus.KILLED), store.finished);
  }
}
