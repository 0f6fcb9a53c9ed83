package ai.llep.trainer.train;

import static ai.llep.trainer.train.FixtureRuns.FIXTURE;
import static ai.llep.trainer.train.FixtureRuns.launch;
import static ai.llep.trainer.train.FixtureRuns.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.models.ModelShard;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.models.tokenizer.TemplateOptions;
import ai.llep.tape.GradMode;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.data.ShardedBatches;
import ai.llep.trainer.data.TemplateSetting;
import ai.llep.trainer.optim.AdamW;
import ai.llep.trainer.optim.OptimParam;
import ai.llep.trainer.tracking.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step that goes non-finite stops the run with one error (step, quantity, last good checkpoint),
 * and no checkpoint holding a NaN or infinite value is ever published (two ranks, in this JVM).
 */
class NonFiniteTrainingTest {
  @TempDir Path dir;

  private CheckpointLayout layout() {
    return new CheckpointLayout(dir.resolve("checkpoints"));
  }

  /**
   * {@code optim.lr=1e30}: the step after the first one overflows. Before, it died in the clipper
   * ("squared norm of group replicated must be >= 0, got NaN") on whichever rank saw it.
   */
  @Test
  void aHugeLearningRateStopsWithOneMessageKeepingTheLastCheckpoint() throws Exception {
    FixtureRuns.Launch run = launch(2, rank -> FixtureRuns.withOptim(settings(dir, 2, 4), 1e30, 0));

    TrainingDiverged e = assertInstanceOf(TrainingDiverged.class, run.error(0));
    long last = layout().latest().orElseThrow().step();
    assertTrue(
        e.getMessage().matches("step " + (last + 1) + ": the (gradient norm|loss|weights) .*"),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .endsWith(
                "; training stopped (the last good checkpoint, "
                    + layout().stepDir(last)
                    + ", is kept: continue from it with train.resume=latest once the cause is"
                    + " fixed (a lower optim.lr, for instance))"),
        e.getMessage());
    assertInstanceOf(StoppedWithRankZero.class, run.error(1));
    assertEquals(RunStatus.FAILED, failedStatus(run));
    assertEveryPublishedCheckpointIsFinite();
  }

  /**
   * {@code optim.weight-decay=1e30} with a checkpoint every step: before, step 2's checkpoint was
   * published with millions of non-finite values, and a resume picked it.
   */
  @Test
  void aHugeWeightDecayPublishesNoNonFiniteCheckpoint() throws Exception {
    FixtureRuns.Launch run =
        launch(2, rank -> FixtureRuns.withOptim(settings(dir, 2, 4), 2e-3, 1e30));

    assertInstanceOf(TrainingDiverged.class, run.error(0));
    assertInstanceOf(StoppedWithRankZero.class, run.error(1));
    assertEveryPublishedCheckpointIsFinite();
  }

  /** The check at save time itself: a rank whose experts went NaN stops every rank's save. */
  @Test
  void aCheckpointIsNotWrittenWhenAnyRanksTensorsAreNotFinite() throws Exception {
    TrainSettings settings = settings(dir, 2, 1);
    TcpOptions tcp = new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(20), "");
    try (LocalWorld world = LocalWorld.start(2, tcp)) {
      List<LocalWorld.Outcome<Object>> outcomes =
          world.run(
              (rank, comm, manager) -> {
                LoadedModel loaded =
                    LoadedModel.open(
                        new ModelSpec(FIXTURE.modelDir().toString(), 0),
                        null,
                        new TemplateSetting("auto", TemplateOptions.NONE),
                        FIXTURE.seed(),
                        new ModelShard(rank, 2),
                        manager);
                List<Parameter> all = loaded.model().parameters().all();
                AdamW optimizer =
                    new AdamW(
                        all.stream().map(p -> OptimParam.of(p.name(), p.array())).toList(),
                        settings.optim().adamw());
                if (rank == 1) {
                  try (GradMode off = GradMode.disabled()) {
                    all.stream()
                        .filter(p -> p.kind() == ParameterKind.EXPERT)
                        .findFirst()
                        .orElseThrow()
                        .array()
                        .muli(Float.NaN);
                  }
                }
                Checkpointer checkpointer =
                    new Checkpointer(settings.checkpoint(), comm, manager, "run", Set.of());
                RunIdentity identity = new RunIdentity("run", 1, 2, "m", List.of(), "");
                try (NDManager scope = manager.newSubManager()) {
                  checkpointer.save(
                      TrainerState.of(1, new ShardedBatches.Position(0, 0), 1.0, null, identity),
                      loaded.model(),
                      optimizer,
                      "",
                      scope);
                }
                return null;
              });
      for (LocalWorld.Outcome<Object> outcome : outcomes) {
        NonFiniteStep e = assertInstanceOf(NonFiniteStep.class, outcome.error());
        assertEquals(
            "step 1: the weights or optimizer moments of rank(s) [1] hold NaN or infinite values"
                + " (each such rank names the tensor in a warning), so this step's checkpoint was"
                + " not written",
            e.getMessage());
      }
    }
    assertEquals(List.of(), layout().existing(), "not even a partial folder");
  }

  private static RunStatus failedStatus(FixtureRuns.Launch run) {
    return run.metrics().status();
  }

  private void assertEveryPublishedCheckpointIsFinite() {
    for (long step : layout().publishedSteps()) {
      String audit = CheckpointAudit.check(layout(), step, 0, 1);
      assertTrue(audit.startsWith(CheckpointAudit.SOUND), "step " + step + ": " + audit);
    }
  }
}
