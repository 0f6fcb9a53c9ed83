package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.checkpoint.CheckpointLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's cases through the launcher: the quick start run twice into the same checkpoints, an
 * unwritable checkpoint folder, and a learning rate that makes training diverge.
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
   * Before, the second run trained, deleted its own checkpoints as soon as it wrote them (the first
   * run's had higher steps) and died at a step the first run had saved ("already published").
   */
  @Test
  void aSecondRunIntoTheSameCheckpointsStopsBeforeTrainingNamingTheWaysOut() {
    Launch.Outcome first = Launch.run(dir, 2, LIMIT, train("train.max-steps=3"));
    assertEquals(0, first.exitCode(), first.output());

    Launch.Outcome second = Launch.run(dir, 2, LIMIT, train("train.max-steps=2"));

    assertEquals(1, second.exitCode(), second.output());
    assertTrue(
        second
            .output()
            .contains(
                "[rank 0] error: checkpoint.dir="
                    + checkpoints().root()
                    + " already holds checkpoints (step-00000003, step-00000002) that"
                    + " this run would not continue from. Continue the run that wrote them with"
                    + " train.resume=latest, give another checkpoint.dir, or set"
                    + " checkpoint.existing=move-aside"),
        second.output());
    assertTrue(second.hasLine("launch: rank 0 exited with code 1; stopping the other ranks"));
    assertFalse(second.output().contains("step 1/2"), "it trained:\n" + second.output());
    assertEquals(List.of(3L, 2L), checkpoints().publishedSteps(), "keep-last=2, nothing deleted");
  }

  /** Before, an unwritable checkpoint.dir was found at the first save, after the first steps. */
  @Test
  void anUnwritableCheckpointFolderStopsTheRunBeforeTheModelLoads() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
    Launch.Outcome run =
        Launch.run(
            dir, 2, LIMIT, train("train.max-steps=2", "checkpoint.dir=" + file.resolve("ck")));

    assertEquals(1, run.exitCode(), run.output());
    assertTrue(
        run.output()
            .contains("error: checkpoint.dir=" + file.resolve("ck") + " is not writable on rank "),
        run.output());
    assertFalse(run.output().contains("step 1/2"), "it trained:\n" + run.output());
  }

  /**
   * {@code optim.lr=1e30}: before, the step after the first died in the gradient clipper ("squared
   * norm of group replicated must be >= 0, got NaN"), or published non-finite weights.
   */
  @Test
  void aDivergingRunStopsWithOneErrorAndKeepsItsLastGoodCheckpoint() {
    Launch.Outcome run = Launch.run(dir, 2, LIMIT, train("train.max-steps=6", "optim.lr=1e30"));

    assertEquals(1, run.exitCode(), run.output());
    List<String> errors = run.output().lines().filter(l -> l.contains("error: ")).toList();
    List<String> fromRankZero = errors.stream().filter(l -> l.startsWith("[rank 0] ")).toList();
    assertEquals(1, fromRankZero.size(), run.output());
    long kept = checkpoints().latest().orElseThrow().step();
    assertTrue(
        fromRankZero
            .getFirst()
            .matches(
                "\\[rank 0] error: step "
                    + (kept + 1)
                    + ": the (gradient norm|loss|weights) .*; training stopped \\(the last good"
                    + " checkpoint, "
                    + java.util.regex.Pattern.quote(checkpoints().stepDir(kept).toString())
                    + ", is kept: .*"),
        run.output());
    assertTrue(run.hasLine("launch: rank 0 exited with code 1; stopping the other ranks"));
  }
}
