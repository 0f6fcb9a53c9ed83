package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.checkpoint.CheckpointLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint safety through the launcher: a run that diverges, then a run started into the
 * checkpoints it left.
 */
class CheckpointSafetyIT {
  private static final String RECIPE =
      Launch.projectRoot().resolve("recipes/tiny-moe-sft.conf").toString();
  private static final Duration LIMIT = Duration.ofMinutes(4);

  @TempDir Path dir;

  private static String[] train(String... extra) {
    return Stream.concat(
            Stream.of(
                "train",
                RECIPE,
                "checkpoint.every=1",
                "data.max-length=48",
                "data.batch-size=4",
                "train.log-every=1",
                "train.export-dir=\"\""),
            Stream.of(extra))
        .toArray(String[]::new);
  }

  private CheckpointLayout checkpoints() {
    return new CheckpointLayout(dir.resolve("checkpoints/tiny-moe-sft"));
  }

  /**
   * Two launches into one checkpoint folder. The first, with {@code optim.lr=1e30}, diverges:
   * before, the step after the first died in the gradient clipper ("squared norm of group
   * replicated must be >= 0, got NaN"), or published non-finite weights. The second, a plain run
   * into the same folder (the quick start run twice): before, it trained, deleted its own
   * checkpoints as soon as it wrote them (the first run's had higher steps) and died at a step the
   * first run had saved ("already published"). The in-process tests of {@code
   * ai.llep.trainer.train} cover the rest; these show what a user sees through the launcher.
   */
  @Test
  void aDivergingRunKeepsItsLastGoodCheckpointAndARunAfterItStopsBeforeTraining() {
    Launch.Outcome diverged =
        Launch.run(dir, 2, LIMIT, train("train.max-steps=3", "optim.lr=1e30"));

    assertEquals(1, diverged.exitCode(), diverged.output());
    List<String> errors = diverged.output().lines().filter(l -> l.contains("error: ")).toList();
    List<String> fromRankZero = errors.stream().filter(l -> l.startsWith("[rank 0] ")).toList();
    assertEquals(1, fromRankZero.size(), diverged.output());
    long kept = checkpoints().latest().orElseThrow().step();
    assertTrue(
        fromRankZero
            .getFirst()
            .matches(
                "\\[rank 0] error: step "
                    + (kept + 1)
                    + ": the (gradient norm|loss|weights) .*; training stopped \\(the last good"
                    + " checkpoint, "
                    + Pattern.quote(checkpoints().stepDir(kept).toString())
                    + ", is kept: .*"),
        diverged.output());
    assertTrue(diverged.hasLine("launch: rank 0 exited with code 1; stopping the other ranks"));

    Launch.Outcome second = Launch.run(dir, 2, LIMIT, train("train.max-steps=2"));

    assertEquals(1, second.exitCode(), second.output());
    assertTrue(
        second
            .output()
            .contains(
                "[rank 0] error: checkpoint.dir="
                    + checkpoints().root()
                    + " already holds checkpoints ("
                    + checkpoints().stepDir(kept).getFileName()
                    + ") that this run would not continue from. Continue the run that wrote them"
                    + " with train.resume=latest, give another checkpoint.dir, or set"
                    + " checkpoint.existing=move-aside"),
        second.output());
    assertTrue(second.hasLine("launch: rank 0 exited with code 1; stopping the other ranks"));
    assertFalse(second.output().contains("step 1/2"), "it trained:\n" + second.output());
    assertEquals(List.of(kept), checkpoints().publishedSteps(), "nothing deleted");
  }
}
