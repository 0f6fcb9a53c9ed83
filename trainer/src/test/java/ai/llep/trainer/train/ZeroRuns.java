package ai.llep.trainer.train;

import static ai.llep.trainer.train.FixtureRuns.resume;
import static ai.llep.trainer.train.FixtureRuns.withBatchSize;
import static ai.llep.trainer.train.FixtureRuns.withZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.config.ConfigError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/** The ZeRO-1 training tests' runs on the fixture's rows, and the checks they share. */
final class ZeroRuns {
  private ZeroRuns() {}

  /** Launches {@code world} ranks on the caller's model and precision. */
  interface Launcher {
    FixtureRuns.Launch launch(int world, IntFunction<TrainSettings> settingsOf) throws Exception;
  }

  /** One row per rank and step, so that 4 ranks split the fixture's 6 rows too. */
  static TrainSettings settings(Path runDir, int steps, int zero) {
    try {
      Files.createDirectories(runDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return withZero(withBatchSize(FixtureRuns.settings(runDir, 2, steps), 1), zero);
  }

  /**
   * A one-step ZeRO-1 run on 2 ranks in {@code runDir}, then its resume on 3: rank 0 stops before
   * any step with an error naming the checkpoint and both world sizes, the others stop with it.
   */
  static void assertRefusedOnThreeRanks(Path runDir, Launcher launcher) throws Exception {
    launcher.launch(2, rank -> settings(runDir, 1, 1)).requireSuccess();
    Path step1 = new CheckpointLayout(runDir.resolve("checkpoints")).stepDir(1);

    FixtureRuns.Launch three =
        launcher.launch(
            3, rank -> resume(settings(runDir, 2, 1), Set.of(LoopOptions.ResumeChange.WORLD_SIZE)));
    assertEquals(
        "cannot resume from "
            + step1
            + " with optim.zero=1: its optimizer state is sharded over 2 ranks and this run has"
            + " 3; ZeRO-1 state resumes only on the world size that wrote it (resume on 2 ranks,"
            + " or start a new run)",
        assertInstanceOf(ConfigError.class, three.error(0)).getMessage());
    assertInstanceOf(StoppedWithRankZero.class, three.error(1));
    assertInstanceOf(StoppedWithRankZero.class, three.error(2));
    assertTrue(three.metrics().steps().isEmpty(), "no step");
  }

  /** A metric tracked in MB, as bytes. */
  static long bytes(Map<String, Double> metrics, String key) {
    Double mb = metrics.get(key);
    assertTrue(mb != null, "no metric " + key + " in " + metrics.keySet());
    return Math.round(mb * 1e6);
  }
}
