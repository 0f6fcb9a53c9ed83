package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.plan.DispatchMode;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Plan;
import ai.llep.plan.Planner;
import ai.llep.tape.GradMode;
import ai.llep.trainer.data.PackedSequence;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The eval loss is exact: evaluating the fixture's batch after each step gives the loss
 * transformers computed for that batch with the weights of that step, on one rank and on two and
 * three ranks with LLEP spilling during the evaluations; an eval set that leaves ranks uneven (one
 * runs a padding row) gives the single-process loss.
 */
class EvaluationTest {
  private static final ParityFixture FIXTURE = FixtureRuns.FIXTURE;

  @TempDir Path dir;

  /** A planner that counts the plans made with autograd off (evaluating) that spilled. */
  private record SpillCounter(Planner inner, AtomicInteger spilled) implements Planner {
    @Override
    public Plan plan(long[][] counts, ExpertPlacement placement) {
      Plan plan = inner.plan(counts, placement);
      if (!GradMode.isEnabled() && IntStream.range(0, counts[0].length).anyMatch(plan::spilled)) {
        spilled.incrementAndGet();
      }
      return plan;
    }
  }

  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {1, 2, 3})
  void theEvalLossAfterEachStepIsTransformersLossForThoseWeights(int world) throws Exception {
    AtomicInteger spilled = new AtomicInteger();
    Map<Long, Double> eval = evalLosses(world, FIXTURE.rows(), spilled);
    // transformers' loss at step s + 1 is that of the weights after step s.
    Map<Long, Double> expected = new TreeMap<>();
    for (int s = 1; s < FIXTURE.steps().size(); s++) {
      expected.put((long) s, FIXTURE.steps().get(s).loss());
    }
    expected.put((long) FIXTURE.steps().size(), FIXTURE.lossAfter());
    assertEquals(expected.keySet(), eval.keySet(), "one evaluation per step");
    for (long step : expected.keySet()) {
      double error = Math.abs(eval.get(step) - expected.get(step)) / expected.get(step);
      assertTrue(
          error <= TransformersParityTest.LOSS_TOLERANCE,
          "step " + step + ": eval " + eval.get(step) + ", transformers " + expected.get(step));
    }
    if (world > 1) {
      assertTrue(spilled.get() > 0, "LLEP never spilled while evaluating");
    }
  }

  @Test
  void unevenRanksGiveTheSingleProcessEvalLoss() throws Exception {
    int world = 2;
    // 7 rows in batches of 3: rank 0 runs 3 + 1 rows, rank 1 runs 3 and a padding row.
    List<PackedSequence> rows = new ArrayList<>(FIXTURE.rows());
    rows.add(FIXTURE.rows().get(2));
    Map<Long, Double> single = evalLosses(1, rows, new AtomicInteger());
    Map<Long, Double> sharded = evalLosses(world, rows, new AtomicInteger());
    assertEquals(single.keySet(), sharded.keySet());
    for (long step : single.keySet()) {
      assertEquals(single.get(step), sharded.get(step), 1e-5 * single.get(step), "step " + step);
    }
  }

  /** The eval loss after each step of a launch on {@code world} ranks, LLEP on several. */
  private Map<Long, Double> evalLosses(
      int world, List<PackedSequence> evalRows, AtomicInteger spilled) throws Exception {
    Path run = dir.resolve(world + "-" + evalRows.size());
    FixtureRuns.Launch launch =
        FixtureRuns.launch(
                world,
                rank ->
                    FixtureRuns.withEval(
                        FIXTURE.settings(world, 1, run.resolve("checkpoints"), null),
                        new EvalOptions(1, 0, 0)),
                evalRows,
                () ->
                    new SpillCounter(
                        Planner.create(
                            world == 1 ? DispatchMode.EP : DispatchMode.LLEP,
                            TransformersParityTest.cpuTestPlanner()),
                        spilled))
            .requireSuccess();
    Map<Long, Double> eval = new TreeMap<>();
    launch
        .metrics()
        .steps()
        .forEach(
            (step, metrics) -> {
              if (metrics.containsKey(EvalResult.LOSS)) {
                eval.put(step, metrics.get(EvalResult.LOSS));
                assertEquals(
                    Math.exp(metrics.get(EvalResult.LOSS)), metrics.get(EvalResult.PERPLEXITY));
              }
            });
    return eval;
  }
}
