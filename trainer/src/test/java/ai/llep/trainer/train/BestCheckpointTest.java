package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.plan.DispatchMode;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.data.PackedSequence;
import ai.llep.trainer.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The best checkpoint and early stopping on one rank: trained on the fixture's batch with a
 * learning rate that overfits it, the loss on two random rows falls at step 2 and rises after, so
 * the best is not the last step, and evaluations stop improving.
 */
class BestCheckpointTest {
  private static final double LR = 0.01;
  private static final List<PackedSequence> EVAL = randomRows(2, 5);

  @TempDir Path dir;

  @Test
  void theBestCheckpointHasTheLowestEvalLossAndOutlivesRetention() throws Exception {
    FixtureRuns.Launch launch = launch(dir, 6, new EvalOptions(1, 0, 0), false);
    Map<Long, Double> eval = evalLosses(launch);
    assertEquals(6, eval.size(), launch.output());
    long best = argmin(eval);
    assertNotEquals(6, best, "the losses " + eval + " do not test retention");
    CheckpointLayout layout = new CheckpointLayout(dir.resolve("checkpoints"));
    assertEquals(OptionalLong.of(best), layout.bestStep());
    assertEquals(
        layout.stepDir(best), layout.root().resolve("best").toRealPath(), "the link resolves");
    assertEquals(List.of(6L, best), layout.publishedSteps(), "keep-last 1, and the best");
    TrainerState state =
        TrainerState.fromJson(
            Files.readString(layout.root().resolve("best/rank-00000/trainer-state.json")));
    assertEquals(best, state.eval().bestStep());
    assertEquals(eval.get(best), state.eval().bestLoss());
    assertTrue(
        launch.output().contains("eval: the best eval loss, ")
            && launch.output().contains(", was at step " + best + "; its checkpoint is kept as "),
        launch.output());
  }

  @Test
  void earlyStoppingEndsAfterPatienceEvaluationsWithoutImprovement() throws Exception {
    FixtureRuns.Launch launch = launch(dir, 8, new EvalOptions(1, 2, 0), false);
    Map<Long, Double> eval = evalLosses(launch);
    long best = argmin(eval);
    long stop = best + 2;
    assertEquals(stop, launch.metrics().steps().size(), "steps run: " + eval);
    assertEquals(RunStatus.FINISHED, launch.metrics().status());
    assertTrue(
        launch
            .output()
            .contains(
                "early stopping after step "
                    + stop
                    + ": the eval loss has not improved on the best by more than"
                    + " train.early-stopping.min-delta=0.0 in 2 evaluations"
                    + " (train.early-stopping.patience=2)"),
        launch.output());
    CheckpointLayout layout = new CheckpointLayout(dir.resolve("checkpoints"));
    assertEquals(stop, layout.publishedSteps().getFirst(), "a checkpoint of the last step");
    assertEquals(OptionalLong.of(best), layout.bestStep());

    // With min-delta, a smaller improvement is a new best but does not reset the patience.
    Path other = Files.createDirectories(dir.resolve("delta"));
    double gain = eval.get(best) < eval.get(1L) ? eval.get(1L) - eval.get(best) : 0;
    assertTrue(gain > 0, "no improvement at all: " + eval);
    FixtureRuns.Launch strict = launch(other, 8, new EvalOptions(1, 2, gain * 1.5), false);
    assertEquals(3, strict.metrics().steps().size(), strict.output());
    assertEquals(
        OptionalLong.of(argmin(evalLosses(strict))),
        new CheckpointLayout(other.resolve("checkpoints")).bestStep());
  }

  @Test
  void aResumedRunKeepsTheBestAndThePatience() throws Exception {
    EvalOptions patience = new EvalOptions(1, 2, 0);
    FixtureRuns.Launch first = launch(dir, 3, patience, false);
    Map<Long, Double> before = evalLosses(first);
    long best = argmin(before);
    assertEquals(3, before.size(), first.output());
    assertNotEquals(3, best, "the losses " + before + " do not test a best before the resume");
    FixtureRuns.Launch resumed = launch(dir, 8, patience, true);
    // Two evaluations without improvement: step 3 before the resume, step 4 after.
    assertEquals(Set.of(4L), resumed.metrics().steps().keySet(), resumed.output());
    assertTrue(resumed.output().contains("early stopping after step 4"), resumed.output());
    assertEquals(
        OptionalLong.of(best), new CheckpointLayout(dir.resolve("checkpoints")).bestStep());
    assertTrue(
        resumed.output().contains(", was at step " + best + "; ")
            && resumed.output().contains("(4 evaluations, 1 in this launch)"),
        resumed.output());
  }

  /** One launch on one rank: checkpoints every step, keep-last 1, evaluations as {@code eval}. */
  private static FixtureRuns.Launch launch(Path dir, int maxSteps, EvalOptions eval, boolean resume)
      throws Exception {
    TrainSettings settings =
        FixtureRuns.withEval(
            FixtureRuns.withOptim(FixtureRuns.settings(dir, 1, maxSteps), LR, 0.0), eval);
    settings =
        FixtureRuns.withCheckpoint(
            settings, new CheckpointOptions(dir.resolve("checkpoints"), 1, 1));
    TrainSettings chosen = resume ? FixtureRuns.resume(settings, Set.of()) : settings;
    return FixtureRuns.launch(
            1,
            rank -> chosen,
            EVAL,
            () -> Planner.create(DispatchMode.EP, PlannerOptions.defaults()))
        .requireSuccess();
  }

  private static Map<Long, Double> evalLosses(FixtureRuns.Launch launch) {
    Map<Long, Double> eval = new TreeMap<>();
    launch.metrics().steps().forEach((step, m) -> eval.put(step, m.get(EvalResult.LOSS)));
    return eval;
  }

  private static long argmin(Map<Long, Double> losses) {
    long best = -1;
    for (Map.Entry<Long, Double> e : losses.entrySet()) {
      if (best < 0 || e.getValue() < losses.get(best)) {
        best = e.getKey();
      }
    }
    return best;
  }

  /** Rows of random tokens of the fixture's vocabulary, each a target in full. */
  private static List<PackedSequence> randomRows(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<PackedSequence> rows = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      int[] ids = random.ints(12, 0, 256).toArray();
      rows.add(new PackedSequence(ids, ids.clone()));
    }
    return rows;
  }
}
