package ai.llep.trainer.train;

import static ai.llep.trainer.train.FixtureRuns.launch;
import static ai.llep.trainer.train.FixtureRuns.resume;
import static ai.llep.trainer.train.ZeroRuns.bytes;
import static ai.llep.trainer.train.ZeroRuns.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.models.hf.SafetensorsFile;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.config.ConfigError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code optim.zero=1} through {@link Trainer} on the tiny Mixtral fixture's rows and optimizer
 * (weight decay 0.1, gradient norms above {@code optim.grad-clip}, so clipping acts): the same
 * losses and weights as the replicated optimizer on 2, 3 and 4 ranks with 1/P of the replicated
 * moments per rank, an exact resume, and a clear refusal of a checkpoint whose state does not fit.
 */
class ZeroTrainingTest {
  /** The acceptance bound (relative) on every loss. */
  private static final double LOSS_TOLERANCE = 1e-6;

  @TempDir Path dir;

  /**
   * The fixture's Mixtral (6 experts) on 2 and 3 ranks, tiny-moe with 4 experts (tied embeddings)
   * on 4: the experts divide evenly between the ranks.
   */
  static Stream<Arguments> worlds() {
    return Stream.of(
        Arguments.of(2, "mixtral"), Arguments.of(3, "mixtral"), Arguments.of(4, ModelSpec.TINY));
  }

  @ParameterizedTest(name = "{1} on {0} ranks")
  @MethodSource("worlds")
  void trainsAsTheReplicatedOptimizerWithItsStateSplitBetweenTheRanks(int world, String model)
      throws Exception {
    ModelSpec spec =
        model.equals(ModelSpec.TINY)
            ? new ModelSpec(ModelSpec.TINY, 4)
            : new ModelSpec(FixtureRuns.FIXTURE.modelDir().toString(), 0);
    Path plainDir = dir.resolve("replicated");
    Path zeroDir = dir.resolve("zero");
    FixtureRuns.Launch plain =
        launch(world, rank -> settings(plainDir, 3, 0), spec).requireSuccess();
    FixtureRuns.Launch zero = launch(world, rank -> settings(zeroDir, 3, 1), spec).requireSuccess();

    TrainSettings s = settings(zeroDir, 3, 1);
    assertTrue(s.optim().adamw().weightDecay() > 0, "weight decay acts");
    boolean clipped = false;
    for (long step = 1; step <= 3; step++) {
      Map<String, Double> expected = plain.metrics().steps().get(step);
      Map<String, Double> actual = zero.metrics().steps().get(step);
      assertRelative(expected.get("loss"), actual.get("loss"), world + " ranks, step " + step);
      assertEquals(expected.get("grad_norm"), actual.get("grad_norm"), 1e-9, "step " + step);
      clipped |= actual.get("grad_norm") > s.optim().gradClip();
    }
    assertTrue(clipped, "a gradient norm above optim.grad-clip=" + s.optim().gradClip());
    CheckpointLayout plainLayout = new CheckpointLayout(plainDir.resolve("checkpoints"));
    CheckpointLayout zeroLayout = new CheckpointLayout(zeroDir.resolve("checkpoints"));
    for (int rank = 0; rank < world; rank++) {
      Path file = Path.of(String.format("rank-%05d", rank), Checkpointer.MODEL_FILE);
      assertEquals(
          -1,
          Files.mismatch(plainLayout.stepDir(3).resolve(file), zeroLayout.stepDir(3).resolve(file)),
          "the weights after the last step, " + file);
    }
    Path rankZeroWeights = zeroLayout.stepDir(3).resolve("rank-00000/" + Checkpointer.MODEL_FILE);
    assertStateSplit(world, rankZeroWeights, plain, zero);
  }

  /**
   * Per rank, the replicated parameters' moments take their whole size without ZeRO and ceil(N / P)
   * elements' worth with it, N counted in rank 0's checkpointed weights (every tensor but the
   * experts'); the experts' state does not change.
   */
  private static void assertStateSplit(
      int world, Path rankZeroWeights, FixtureRuns.Launch plain, FixtureRuns.Launch zero)
      throws IOException {
    long replicatedElements = 0;
    try (SafetensorsFile weights = SafetensorsFile.open(rankZeroWeights)) {
      for (String name : weights.names()) {
        if (!name.contains(".experts.")) {
          replicatedElements += weights.shape(name).size();
        }
      }
    }
    Map<String, Double> p = plain.metrics().steps().get(3L);
    Map<String, Double> z = zero.metrics().steps().get(3L);
    long whole = 2L * Float.BYTES * replicatedElements;
    assertEquals(whole, bytes(p, "optimizer_state_replicated_mb"), "without ZeRO");
    assertEquals(whole, bytes(z, "optimizer_state_replicated_unsharded_mb"));
    long chunk = (replicatedElements + world - 1) / world;
    assertEquals(2L * Float.BYTES * chunk, bytes(z, "optimizer_state_replicated_mb"), "ZeRO-1");
    assertEquals(bytes(p, "optimizer_state_experts_mb"), bytes(z, "optimizer_state_experts_mb"));
    assertTrue(
        zero.output().contains("by optim.zero=1; experts'")
            && zero.output().contains("sharded over " + world + " ranks"),
        zero.output());
  }

  /**
   * Runs of four steps stopped after step 2 (their later checkpoints deleted) continue with ZeRO-1
   * as the uninterrupted runs did: from a ZeRO-1 checkpoint, and from one without ZeRO (each rank
   * takes its slices of the whole moments). Step 4's loss depends on the moments restored.
   */
  @Test
  void resumesExactlyFromZeroAndFromReplicatedCheckpoints() throws Exception {
    Path zeroDir = dir.resolve("zero");
    Path plainDir = dir.resolve("replicated");
    FixtureRuns.Launch zero = launch(2, rank -> settings(zeroDir, 4, 1)).requireSuccess();
    FixtureRuns.Launch plain = launch(2, rank -> settings(plainDir, 4, 0)).requireSuccess();
    for (Path run : new Path[] {zeroDir, plainDir}) {
      CheckpointLayout layout = new CheckpointLayout(run.resolve("checkpoints"));
      FileUtils.deleteDirectory(layout.stepDir(4).toFile());
      FileUtils.deleteDirectory(layout.stepDir(3).toFile());
    }

    FixtureRuns.Launch zeroAgain =
        launch(2, rank -> resume(settings(zeroDir, 4, 1), Set.of())).requireSuccess();
    FixtureRuns.Launch converted =
        launch(2, rank -> resume(settings(plainDir, 4, 1), Set.of())).requireSuccess();

    for (FixtureRuns.Launch resumed : new FixtureRuns.Launch[] {zeroAgain, converted}) {
      assertTrue(resumed.output().contains("at step 2"), resumed.output());
      for (long step = 3; step <= 4; step++) {
        assertRelative(
            zero.metrics().steps().get(step).get("loss"),
            resumed.metrics().steps().get(step).get("loss"),
            "resumed step " + step);
      }
    }
    assertEquals(
        zero.metrics().steps().get(4L).get("loss"),
        plain.metrics().steps().get(4L).get("loss"),
        0,
        "ZeRO-1 and replicated runs");
  }

  /**
   * ZeRO-1 state resumes only on the world size that wrote it, and only with ZeRO-1: other launches
   * stop before any step with an error naming the key, the checkpoint and both world sizes.
   */
  @Test
  void refusesZeroStateOnAnotherWorldSizeOrWithoutZero() throws Exception {
    ZeroRuns.assertRefusedOnThreeRanks(dir, FixtureRuns::launch);
    Path step1 = new CheckpointLayout(dir.resolve("checkpoints")).stepDir(1);

    FixtureRuns.Launch off = launch(2, rank -> resume(settings(dir, 2, 0), Set.of()));
    assertEquals(
        "cannot resume from "
            + step1
            + " with optim.zero=0: it holds the replicated parameters' optimizer state sharded"
            + " over 2 ranks (optim.zero=1); resume with optim.zero=1 on 2 ranks",
        assertInstanceOf(ConfigError.class, off.error(0)).getMessage());
    assertTrue(off.metrics().steps().isEmpty(), "no step");
  }

  private static void assertRelative(double expected, double actual, String what) {
    double error = Math.abs(actual - expected) / Math.abs(expected);
    assertTrue(
        error <= LOSS_TOLERANCE,
        () ->
            what
                + ": loss "
                + actual
                + ", replicated optimizer "
                + expected
                + " (relative error "
                + error
                + ")");
  }
}
