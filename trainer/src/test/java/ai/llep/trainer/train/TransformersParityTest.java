package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.models.ActivationCheckpointing;
import ai.llep.models.LossOutput;
import ai.llep.models.ModelShard;
import ai.llep.models.TokenBatch;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.tokenizer.TemplateOptions;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import ai.llep.tape.DistributedTape;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.data.ShardedBatches;
import ai.llep.trainer.data.TemplateSetting;
import ai.llep.trainer.report.ExpertLoads;
import ai.llep.trainer.tracking.RunStatus;
import com.typesafe.config.Config;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The training step against the real thing: each committed fixture ({@code fixtures/parity}, made
 * with transformers and {@code torch.optim.AdamW} by {@code
 * scripts/fixtures/make-parity-fixtures.py}) is loaded from its Hugging Face folder and trained for
 * its steps by {@link Trainer} (model loss, distributed backward, gradient exchange, clipping,
 * AdamW, schedule, checkpoint, export), on one rank and on two and three ranks with LLEP forced to
 * spill ({@code configs/llep/cpu-test.conf}). Every step's loss, learning rate, gradient norm and
 * expert loads must be transformers'; the exported folder, loaded again, must give the loss
 * transformers computed after the last step.
 */
class TransformersParityTest {
  /** The float32 acceptance bound (relative) on every loss. */
  static final double LOSS_TOLERANCE = 1e-5;

  /**
   * Every fixture on 1, 2 and 3 ranks, and on 3 ranks with two micro-batches of one row each per
   * step (rows with different token counts, so a per-micro-batch mean would weigh tokens unevenly).
   */
  static Stream<Arguments> cases() {
    return ParityFixture.all().stream()
        .flatMap(
            f ->
                Stream.of(
                    Arguments.of(f.name(), 1, 1),
                    Arguments.of(f.name(), 2, 1),
                    Arguments.of(f.name(), 3, 1),
                    Arguments.of(f.name(), 3, 2)));
  }

  @ParameterizedTest(name = "{0} on {1} rank(s), {2} micro-batch(es) per step")
  @MethodSource("cases")
  void trainsAsTransformersDoesAndExportsWhatItTrained(
      String name, int world, int gradAccum, @TempDir Path dir) throws Exception {
    ParityFixture fixture = ParityFixture.named(name);
    TrainSettings settings =
        fixture.settings(world, gradAccum, dir.resolve("checkpoints"), dir.resolve("export"));
    MetricsRecorder metrics =
        train(fixture, settings, PrecisionOptions.FLOAT32, DispatchMode.LLEP, world);
    assertSteps(fixture, world, metrics.steps(), metrics.expertLoads());
    Path exported =
        settings.loop().exportDir().orElseThrow().resolve("step-" + settings.loop().maxSteps());
    assertExport(fixture, exported);
  }

  /**
   * Activation checkpointing changes what a step keeps, not what it computes: with the expert
   * computation or whole layers recomputed in the backward, two ranks with LLEP still train as
   * transformers does (the fixture with a dense layer, biases and a tied head).
   */
  @ParameterizedTest(name = "train.activation-checkpointing={0}")
  @EnumSource(
      value = ActivationCheckpointing.class,
      names = {"MOE", "FULL"})
  void recomputedActivationsTrainAsTransformersDoes(
      ActivationCheckpointing checkpointing, @TempDir Path dir) throws Exception {
    ParityFixture fixture = ParityFixture.named("qwen3-moe-dense-tied");
    TrainSettings settings = fixture.settings(2, dir.resolve("checkpoints"), checkpointing);
    MetricsRecorder metrics =
        train(fixture, settings, PrecisionOptions.FLOAT32, DispatchMode.LLEP, 2);
    assertSteps(fixture, 2, metrics.steps(), metrics.expertLoads());
  }

  /**
   * Trains {@code fixture} with {@code settings} through {@link Trainer#run} on {@code world} ranks
   * (in-process, over TCP), planning with {@code mode} and the options of {@code llep=cpu-test};
   * returns what rank 0 tracked.
   */
  static MetricsRecorder train(
      ParityFixture fixture,
      TrainSettings settings,
      PrecisionOptions precision,
      DispatchMode mode,
      int world)
      throws Exception {
    return train(
        fixture, new ModelSpec(fixture.modelDir().toString(), 0), settings, precision, mode, world);
  }

  /** {@link #train} of the model {@code spec} names, on the fixture's batches. */
  static MetricsRecorder train(
      ParityFixture fixture,
      ModelSpec spec,
      TrainSettings settings,
      PrecisionOptions precision,
      DispatchMode mode,
      int world)
      throws Exception {
    MetricsRecorder metrics = new MetricsRecorder();
    if (world == 1) {
      try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
        trainer(
                fixture,
                spec,
                settings,
                precision,
                mode,
                new SingleProcessCommunicator(),
                manager,
                metrics)
            .run();
      }
    } else {
      TcpOptions tcp = new TcpOptions(Duration.ofSeconds(60), Duration.ofSeconds(20), "");
      try (LocalWorld ranks = LocalWorld.start(world, tcp)) {
        for (LocalWorld.Outcome<Trainer.Outcome> outcome :
            ranks.run(
                (rank, comm, manager) ->
                    trainer(
                            fixture,
                            spec,
                            settings,
                            precision,
                            mode,
                            comm,
                            manager,
                            rank == 0 ? metrics : null)
                        .run())) {
          if (outcome.error() != null) {
            throw new AssertionError("a rank failed: " + outcome.error(), outcome.error());
          }
        }
      }
    }
    assertEquals(RunStatus.FINISHED, metrics.status());
    return metrics;
  }

  /**
   * gpt-oss with MXFP4 experts ({@code fixtures/mxfp4/gpt-oss}: the parity model's experts replaced
   * by random MXFP4 blocks and scales): each rank dequantizes only its own experts, the first
   * step's loss is transformers' on the dequantized model, two ranks with LLEP train it, and the
   * export holds unquantized stacked experts under the bf16 folder's names, with no
   * quantization_config, and loads again with the loss the training reached.
   */
  @Test
  void mxfp4ExpertsTrainAndExportUnquantized(@TempDir Path dir) throws Exception {
    ParityFixture bf16 = ParityFixture.named("gpt-oss");
    Path mxfp4 = ParityFixture.root().resolve("mxfp4").resolve("gpt-oss");
    ParityFixture fixture =
        new ParityFixture(
            "gpt-oss-mxfp4",
            mxfp4.resolve("model"),
            bf16.inputIds(),
            bf16.labels(),
            bf16.training(),
            bf16.steps(),
            bf16.moeLayers(),
            bf16.lossAfter(),
            bf16.bf16Step1Loss(),
            bf16.seed());
    // The bf16 fixture's settings: the same run over the same batch file.
    TrainSettings settings = bf16.settings(2, 1, dir.resolve("ckpt"), dir.resolve("export"));
    MetricsRecorder metrics =
        train(fixture, settings, PrecisionOptions.FLOAT32, DispatchMode.LLEP, 2);
    double expected =
        com.google.gson.JsonParser.parseString(Files.readString(mxfp4.resolve("expected.json")))
            .getAsJsonObject()
            .get("loss")
            .getAsDouble();
    double first = metrics.steps().get(1L).get("loss");
    assertClose(expected, first, LOSS_TOLERANCE, "mxfp4 step 1 loss");
    Path exported = settings.loop().exportDir().orElseThrow().resolve("step-3");
    try (HfCheckpoint original = HfCheckpoint.open(bf16.modelDir());
        HfCheckpoint written = HfCheckpoint.open(exported)) {
      assertEquals(original.names(), written.names(), "exported tensor names");
      assertFalse(written.config().has("quantization_config"), "exported config.json");
    }
    double last = metrics.steps().get(3L).get("loss");
    double reloaded = exportedLoss(fixture, exported);
    assertTrue(reloaded < last, "the exported model's loss " + reloaded + " after " + last);
  }

  /**
   * {@code model.weights=random}: a folder with only config.json and tokenizer.json trains from
   * weights drawn from the seed, the same weights on one rank and on two with LLEP spilling (the
   * same losses), starting near the uniform prediction's loss ln(V), and exports in the type its
   * config declares.
   */
  @Test
  void randomWeightsTrainFromAConfigAlone(@TempDir Path dir) throws Exception {
    ParityFixture fixture = ParityFixture.named("qwen3-moe");
    Path model = Files.createDirectories(dir.resolve("model"));
    for (String file : List.of("config.json", "tokenizer.json")) {
      Files.copy(fixture.modelDir().resolve(file), model.resolve(file));
    }
    ModelSpec spec = new ModelSpec(model.toString(), 0, true);
    Map<Long, Map<String, Double>> one =
        train(
                fixture,
                spec,
                fixture.settings(1, 1, dir.resolve("c1"), dir.resolve("e1")),
                PrecisionOptions.FLOAT32,
                DispatchMode.LLEP,
                1)
            .steps();
    TrainSettings two = fixture.settings(2, 1, dir.resolve("c2"), dir.resolve("e2"));
    Map<Long, Map<String, Double>> spilled =
        train(fixture, spec, two, PrecisionOptions.FLOAT32, DispatchMode.LLEP, 2).steps();
    for (long step : one.keySet()) {
      assertClose(
          one.get(step).get("loss"),
          spilled.get(step).get("loss"),
          LOSS_TOLERANCE,
          "random weights, step " + step + " on 2 ranks against 1");
    }
    double first = one.get(1L).get("loss");
    assertClose(Math.log(256), first, 0.05, "random weights' first loss against ln(vocab)");
    assertTrue(
        Math.abs(first - fixture.steps().getFirst().loss()) > 1e-3,
        "the step-1 loss " + first + " is the fixture checkpoint's: its weights were read");
    Path exported = two.loop().exportDir().orElseThrow().resolve("step-" + two.loop().maxSteps());
    try (HfCheckpoint written = HfCheckpoint.open(exported)) {
      for (String name : written.names()) {
        assertEquals("F32", written.storedType(name), name + " exported as config.json's dtype");
      }
    }
  }

  private static Trainer trainer(
      ParityFixture fixture,
      ModelSpec spec,
      TrainSettings settings,
      PrecisionOptions precision,
      DispatchMode mode,
      Communicator comm,
      NDManager manager,
      MetricsRecorder metrics) {
    RankZeroTracking tracking =
        new RankZeroTracking(metrics, new RunTracking("", "parity", fixture.name()), Map.of(), "");
    return new Trainer(
        comm,
        manager,
        settings,
        precision,
        spec,
        Planner.create(mode, cpuTestPlanner()),
        "",
        tracking,
        StopRequest.NEVER,
        new PrintStream(PrintStream.nullOutputStream()),
        (loaded, rank, worldSize) ->
            new ShardedBatches(
                fixture.rows(), rank, worldSize, settings.data().batchSize(), settings.seed()),
        Trainer.EvalSource.NONE);
  }

  /**
   * The planner options of {@code llep=cpu-test}, through the config loader as train reads them.
   */
  static PlannerOptions cpuTestPlanner() {
    Config config = new ConfigLoader().load(Optional.empty(), List.of("llep=cpu-test")).config();
    assertEquals("llep", config.getString("llep.mode"));
    return new PlannerOptions(
        config.getDouble("llep.alpha"),
        config.getInt("llep.min-tokens-per-gemm"),
        config.getDouble("llep.lambda"),
        PlannerOptions.Variant.valueOf(
            config.getString("planner.variant").toUpperCase(Locale.ROOT)));
  }

  private static void assertSteps(
      ParityFixture fixture,
      int world,
      Map<Long, Map<String, Double>> tracked,
      Map<Long, ExpertLoads.Step> trackedLoads) {
    assertEquals(fixture.steps().size(), tracked.size(), "tracked steps");
    for (ParityFixture.Step expected : fixture.steps()) {
      Map<String, Double> m = tracked.get((long) expected.step());
      String where = fixture.name() + " step " + expected.step() + " on " + world + " rank(s)";
      assertClose(expected.loss(), m.get("loss"), LOSS_TOLERANCE, where + ": loss");
      assertClose(expected.lr(), m.get("lr"), 1e-12, where + ": learning rate");
      assertClose(expected.gradNorm(), m.get("grad_norm"), 1e-5, where + ": gradient norm");
      List<ExpertLoads.Layer> layers = trackedLoads.get((long) expected.step()).layers();
      assertEquals(expected.expertLoads().length, layers.size(), where + ": MoE layers tracked");
      for (int i = 0; i < expected.expertLoads().length; i++) {
        int layer = fixture.moeLayers()[i];
        assertEquals(layer, layers.get(i).layer(), where + ": layer order");
        assertArrayEquals(
            expected.expertLoads()[i],
            layers.get(i).experts(),
            where + ": expert loads of layer " + layer);
      }
      if (world > 1) {
        assertTrue(
            m.get("spilled_slots") > 0,
            where + ": LLEP spilled no slot (the fixture's routing is skewed so that it must)");
      }
    }
  }

  /**
   * The exported folder holds the fixture's tensor names (so transformers loads it) and, loaded
   * through the same path as {@code model.source}, gives transformers' loss after the last step.
   */
  private static void assertExport(ParityFixture fixture, Path exported) throws Exception {
    try (HfCheckpoint original = HfCheckpoint.open(fixture.modelDir());
        HfCheckpoint written = HfCheckpoint.open(exported)) {
      assertEquals(original.names(), written.names(), "exported tensor names");
      assertEquals(original.configText(), written.configText(), "exported config.json");
    }
    assertTrue(Files.isRegularFile(exported.resolve("tokenizer.json")), "exported tokenizer");
    double loss = exportedLoss(fixture, exported);
    assertClose(
        fixture.lossAfter(), loss, LOSS_TOLERANCE, fixture.name() + ": exported model's loss");
  }

  /** The loss on the fixture's batch of the model in {@code exported}, loaded as train loads it. */
  private static double exportedLoss(ParityFixture fixture, Path exported) {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      LoadedModel loaded =
          LoadedModel.open(
              new ModelSpec(exported.toString(), 0),
              null,
              new TemplateSetting("auto", TemplateOptions.NONE),
              fixture.seed(),
              ModelShard.single(),
              Planner.create(DispatchMode.EP, PlannerOptions.defaults()),
              manager);
      try (NDManager step = manager.newSubManager()) {
        LossOutput out =
            loaded
                .model()
                .loss(
                    DistributedTape.inference(new SingleProcessCommunicator()),
                    step,
                    TokenBatch.causalLm(fixture.inputIds()).withLabels(fixture.labels()));
        return out.loss().sum().getFloat() / out.loss().count();
      } finally {
        loaded.model().close();
        if (loaded.tokenizer() instanceof AutoCloseable tokenizer) {
          try {
            tokenizer.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
  }

  private static void assertClose(double expected, double actual, double tolerance, String what) {
    double error = Math.abs(actual - expected) / Math.abs(expected);
    assertTrue(
        error <= tolerance,
        () ->
            what
                + ": "
                + actual
                + ", transformers "
                + expected
                + " (relative error "
                + error
                + " > "
                + tolerance
                + ")");
  }
}
