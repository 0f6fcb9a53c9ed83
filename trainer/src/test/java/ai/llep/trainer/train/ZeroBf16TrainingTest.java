package ai.llep.trainer.train;

import static ai.llep.trainer.train.FixtureRuns.launch;
import static ai.llep.trainer.train.FixtureRuns.resume;
import static ai.llep.trainer.train.FixtureRuns.withZero;
import static ai.llep.trainer.train.ZeroRuns.bytes;
import static ai.llep.trainer.train.ZeroRuns.settings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.ActivationCheckpointing;
import ai.llep.models.hf.SafetensorsFile;
import ai.llep.plan.DispatchMode;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code optim.zero=1} with {@code train.precision=bf16} through {@link Trainer} on the tiny
 * Mixtral fixture (weight decay 0.1, clipping acting): the replicated parameters are bfloat16 on
 * every rank and their float32 masters are split between the ranks. The embedding now reads a
 * bfloat16 table, so losses are close to (not the bits of) the replicated bf16 run's; a resume on
 * the same world size continues with the same bits; checkpoints keep the float32 masters.
 */
class ZeroBf16TrainingTest {
  /** The acceptance bound (relative) on every loss against the replicated bf16 run. */
  private static final double LOSS_TOLERANCE = 1e-2;

  private static final PrecisionOptions BF16 =
      new PrecisionOptions(Precision.BF16, ExportDtype.AUTO);

  @TempDir Path dir;

  private static final ModelSpec MIXTRAL =
      new ModelSpec(FixtureRuns.FIXTURE.modelDir().toString(), 0);

  private static FixtureRuns.Launch bf16(int world, Path runDir, int steps, int zero)
      throws Exception {
    return bf16(world, rank -> settings(runDir, steps, zero));
  }

  private static FixtureRuns.Launch bf16(int world, IntFunction<TrainSettings> settings)
      throws Exception {
    return launch(world, settings, MIXTRAL, BF16);
  }

  /** The fixture's Mixtral on 2 and 3 ranks; tiny-moe (tied embeddings, 4 experts) on 2. */
  static Stream<Arguments> worlds() {
    return Stream.of(
        Arguments.of(2, MIXTRAL),
        Arguments.of(3, MIXTRAL),
        Arguments.of(2, new ModelSpec(ModelSpec.TINY, 4)));
  }

  @ParameterizedTest(name = "{1} on {0} ranks")
  @MethodSource("worlds")
  void trainsCloseToTheReplicatedBf16RunWithMastersSplitBetweenTheRanks(int world, ModelSpec model)
      throws Exception {
    int steps = 5;
    Path plainDir = dir.resolve("replicated");
    Path zeroDir = dir.resolve("zero");
    FixtureRuns.Launch plain =
        launch(world, rank -> settings(plainDir, steps, 0), model, BF16).requireSuccess();
    FixtureRuns.Launch zero =
        launch(world, rank -> settings(zeroDir, steps, 1), model, BF16).requireSuccess();

    TrainSettings s = settings(dir.resolve("zero"), steps, 1);
    assertTrue(s.optim().adamw().weightDecay() > 0, "weight decay acts");
    boolean clipped = false;
    for (long step = 1; step <= steps; step++) {
      double expected = plain.metrics().steps().get(step).get("loss");
      double actual = zero.metrics().steps().get(step).get("loss");
      double error = Math.abs(actual - expected) / Math.abs(expected);
      assertTrue(
          error <= LOSS_TOLERANCE,
          "step " + step + ": loss " + actual + ", replicated bf16 " + expected);
      clipped |= zero.metrics().steps().get(step).get("grad_norm") > s.optim().gradClip();
    }
    assertTrue(clipped, "a gradient norm above optim.grad-clip=" + s.optim().gradClip());

    Path weights =
        new CheckpointLayout(dir.resolve("zero/checkpoints"))
            .stepDir(steps)
            .resolve("rank-00000/" + Checkpointer.MODEL_FILE);
    long replicated = 0;
    try (SafetensorsFile file = SafetensorsFile.open(weights)) {
      for (String name : file.names()) {
        if (!name.contains(".experts.")) {
          replicated += file.shape(name).size();
          assertEquals("F32", file.storedType(name), name + ": the checkpoint keeps the masters");
        }
      }
    }
    Map<String, Double> z = zero.metrics().steps().get((long) steps);
    long chunk = (replicated + world - 1) / world;
    assertEquals(
        3L * Float.BYTES * chunk,
        bytes(z, "optimizer_state_replicated_mb"),
        "float32 masters and two moments of a chunk, 12 B per element");
    assertEquals(
        3L * Float.BYTES * replicated, bytes(z, "optimizer_state_replicated_unsharded_mb"));
    assertEquals(
        2L * Float.BYTES * replicated,
        bytes(plain.metrics().steps().get((long) steps), "optimizer_state_replicated_mb"),
        "without ZeRO: the moments whole (the float32 weights are the masters)");
    assertTrue(zero.output().contains("float32 master weights and moments"), zero.output());
  }

  /**
   * Two micro-batches a step: the bfloat16 gradients of the replicated parameters are summed in a
   * float32 buffer ({@link GradientExchange#accumulate}), and the run stays as close to the
   * replicated bf16 run (whose float32 leaves sum in place).
   */
  @Test
  void accumulatesMicroBatchesCloseToTheReplicatedBf16Run() throws Exception {
    FixtureRuns.Launch[] runs = new FixtureRuns.Launch[2];
    for (int zero = 0; zero <= 1; zero++) {
      Path run = dir.resolve("accum-" + zero);
      int z = zero;
      runs[zero] = bf16(2, rank -> withGradAccum(settings(run, 3, z), 2)).requireSuccess();
    }
    for (long step = 1; step <= 3; step++) {
      double expected = runs[0].metrics().steps().get(step).get("loss");
      double actual = runs[1].metrics().steps().get(step).get("loss");
      assertTrue(
          Math.abs(actual - expected) <= LOSS_TOLERANCE * Math.abs(expected),
          "step " + step + ": loss " + actual + ", replicated bf16 " + expected);
    }
  }

  private static TrainSettings withGradAccum(TrainSettings s, int gradAccum) {
    LoopOptions l = s.loop();
    return s.withLoop(
        new LoopOptions(
            l.maxSteps(),
            gradAccum,
            l.frozen(),
            l.logEvery(),
            l.resume(),
            l.exportDir(),
            l.activationCheckpointing(),
            l.resumeAllow()));
  }

  /**
   * A four-step run stopped after step 2 (its later checkpoints deleted) continues as the
   * uninterrupted run did, to the bit: the masters come back from the checkpoint's weights, the
   * moments from each rank's shard.
   */
  @Test
  void resumesWithTheSameLossesOnTheSameWorldSize() throws Exception {
    Path run = dir.resolve("zero");
    FixtureRuns.Launch whole = bf16(2, run, 4, 1).requireSuccess();
    CheckpointLayout layout = new CheckpointLayout(run.resolve("checkpoints"));
    FileUtils.deleteDirectory(layout.stepDir(4).toFile());
    FileUtils.deleteDirectory(layout.stepDir(3).toFile());

    FixtureRuns.Launch resumed =
        bf16(2, rank -> resume(settings(run, 4, 1), Set.of())).requireSuccess();
    assertTrue(resumed.output().contains("at step 2"), resumed.output());
    for (long step = 3; step <= 4; step++) {
      assertEquals(
          whole.metrics().steps().get(step).get("loss"),
          resumed.metrics().steps().get(step).get("loss"),
          0,
          "resumed step " + step);
    }
  }

  /** A float32 export holds the gathered masters, as the checkpoint does, not the bf16 copies. */
  @Test
  void exportsTheFloat32Masters() throws Exception {
    Path run = dir.resolve("zero");
    Path exportDir = dir.resolve("export");
    PrecisionOptions float32Export = new PrecisionOptions(Precision.BF16, ExportDtype.FLOAT32);
    launch(
            2,
            rank -> FixtureRuns.withExport(settings(run, 2, 1), exportDir),
            MIXTRAL,
            float32Export)
        .requireSuccess();
    Path masters =
        new CheckpointLayout(run.resolve("checkpoints"))
            .stepDir(2)
            .resolve("rank-00000/" + Checkpointer.MODEL_FILE);
    int compared = 0;
    boolean finerThanBf16 = false;
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        SafetensorsFile checkpoint = SafetensorsFile.open(masters);
        Stream<Path> files = Files.walk(exportDir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
        try (SafetensorsFile exported = SafetensorsFile.open(file)) {
          for (String name : exported.names()) {
            if (name.contains(".experts.")) {
              continue;
            }
            assertEquals("F32", exported.storedType(name), name);
            float[] master = checkpoint.read(name, manager, DataType.FLOAT32).toFloatArray();
            assertArrayEquals(
                master, exported.read(name, manager, DataType.FLOAT32).toFloatArray(), name);
            for (float v : master) {
              finerThanBf16 |= (Float.floatToRawIntBits(v) & 0xFFFF) != 0;
            }
            compared++;
          }
        }
      }
    }
    assertTrue(compared > 0, "replicated tensors exported");
    assertTrue(finerThanBf16, "the masters hold float32 bits a bf16 copy cannot");
  }

  @Test
  void refusesItsStateOnAnotherWorldSize() throws Exception {
    ZeroRuns.assertRefusedOnThreeRanks(dir, ZeroBf16TrainingTest::bf16);
  }

  /**
   * With LLEP spilling on 2 ranks: lent experts' gradients return to their owners before the step,
   * and the replicated parameters' bf16 copies and sharded masters train as the replicated bf16
   * optimizer does, within the tolerance.
   */
  @Test
  void withLlepTrainsCloseToTheReplicatedBf16Run() throws Exception {
    ParityFixture fixture = FixtureRuns.FIXTURE;
    MetricsRecorder[] runs = new MetricsRecorder[2];
    for (int zero = 0; zero <= 1; zero++) {
      TrainSettings s =
          fixture.settings(2, dir.resolve("bf16-" + zero), ActivationCheckpointing.NONE);
      runs[zero] =
          TransformersParityTest.train(fixture, withZero(s, zero), BF16, DispatchMode.LLEP, 2);
    }
    for (long step = 1; step <= fixture.steps().size(); step++) {
      double expected = runs[0].steps().get(step).get("loss");
      double actual = runs[1].steps().get(step).get("loss");
      assertTrue(
          Math.abs(actual - expected) <= LOSS_TOLERANCE * Math.abs(expected),
          "step " + step + ": loss " + actual + ", replicated bf16 " + expected);
      assertTrue(runs[1].steps().get(step).get("spilled_slots") > 0, "LLEP spilled");
    }
  }
}
