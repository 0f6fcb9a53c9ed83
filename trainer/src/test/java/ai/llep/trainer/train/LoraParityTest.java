package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.models.ActivationCheckpointing;
import ai.llep.models.LossOutput;
import ai.llep.models.ModelShard;
import ai.llep.models.MoeTransformer;
import ai.llep.models.TokenBatch;
import ai.llep.models.family.HfConfigParser;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.SafetensorsFile;
import ai.llep.models.hf.TensorSource;
import ai.llep.models.lora.LoraFixture;
import ai.llep.models.lora.PeftAdapterSource;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import ai.llep.tape.DistributedTape;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.report.ExpertLoads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LoRA training against PEFT: each {@code fixtures/lora} fixture starts from PEFT's initial adapter
 * on its parity fixture's model and trains the adapters alone through {@link Trainer}, on one rank
 * and on two or three ranks with LLEP spilling (borrowed experts carry their adapters; only the
 * adapters' gradients come back). Every step's loss is PEFT's within 1e-5, the gradient norm and
 * expert loads agree, and the export (PEFT's adapter layout, and the merged model) holds what PEFT
 * holds after the same steps and gives PEFT's loss.
 */
class LoraParityTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("mixtral", 1, false),
        Arguments.of("mixtral", 2, false),
        Arguments.of("qwen3-moe", 3, true),
        Arguments.of("olmoe", 2, true),
        Arguments.of("qwen3-moe-dense-tied", 1, false),
        Arguments.of("qwen3-moe-dense-tied", 3, false));
  }

  /**
   * With {@code cache}, each rank keeps up to 1 MiB of borrowed base weights across steps
   * (lora.expert-cache-mb): the steps are still PEFT's, and a helper lent an expert it kept is lent
   * only the adapters.
   */
  @ParameterizedTest(name = "{0} on {1} rank(s), expert cache {2}")
  @MethodSource("cases")
  void trainsAsPeftDoesAndExportsWhatPeftLoads(
      String name, int world, boolean cache, @TempDir Path dir) throws Exception {
    LoraFixture f = LoraFixture.named(name);
    ParityFixture parity = ParityFixture.ofLora(f);
    TrainSettings settings =
        parity
            .settings(world, 1, dir.resolve("checkpoints"), dir.resolve("export"))
            .withLora(options(f, world == 1, cache ? 1 << 20 : 0));
    MetricsRecorder metrics =
        TransformersParityTest.train(
            parity, settings, PrecisionOptions.FLOAT32, DispatchMode.LLEP, world);
    assertSteps(parity, world, metrics.steps(), metrics.expertLoads());
    double hits =
        metrics.steps().values().stream()
            .mapToDouble(m -> m.getOrDefault("weight_cache_hits", 0.0))
            .sum();
    assertEquals(cache, hits > 0, "cache hits " + hits);
    Path export = dir.resolve("export").resolve("step-3");
    boolean peft = settings.lora().peftLoadable();
    assertEquals(peft, Files.isDirectory(export), "adapter exported");
    if (peft) {
      assertAdapter(f, export);
    }
    Path merged = dir.resolve("export").resolve("step-3-merged");
    assertEquals(world == 1 || !peft, Files.isDirectory(merged), "merged model exported");
    if (Files.isDirectory(merged)) {
      assertMerged(f, merged);
    }
  }

  /**
   * Recomputing whole layers in the backward (dispatch, borrowed experts and their adapters
   * included) changes what a step keeps, not what it computes: two ranks with LLEP and the cache
   * still train as PEFT does.
   */
  @Test
  void recomputedLayersTrainAsPeftDoes(@TempDir Path dir) throws Exception {
    LoraFixture f = LoraFixture.named("qwen3-moe-dense-tied");
    ParityFixture parity = ParityFixture.ofLora(f);
    TrainSettings settings =
        parity
            .settings(2, dir.resolve("checkpoints"), ActivationCheckpointing.FULL)
            .withLora(options(f, false, 1 << 20));
    MetricsRecorder metrics =
        TransformersParityTest.train(
            parity, settings, PrecisionOptions.FLOAT32, DispatchMode.LLEP, 2);
    assertSteps(parity, 2, metrics.steps(), metrics.expertLoads());
  }

  /**
   * A LoRA run stopped after step 2 and resumed: the checkpoint holds the adapters (and their
   * moments) alone, and the resumed step 3 and the export after it are PEFT's, which needs the
   * adapters and AdamW's moments back from the checkpoint and the frozen base from the model.
   */
  @Test
  void resumesFromItsAdapters(@TempDir Path dir) throws Exception {
    LoraFixture f = LoraFixture.named("olmoe");
    ParityFixture parity = ParityFixture.ofLora(f);
    TrainSettings full =
        parity
            .settings(
                2,
                1,
                dir.resolve("checkpoints"),
                dir.resolve("export"),
                1,
                5,
                LoopOptions.Resume.NONE)
            .withLora(options(f, false, 0));
    LoopOptions l = full.loop();
    TrainSettings firstTwo =
        new TrainSettings(
            new LoopOptions(
                2, 1, l.frozen(), 1, l.resume(), Optional.empty(), l.activationCheckpointing()),
            full.data(),
            full.optim(),
            full.checkpoint(),
            full.seed(),
            full.selfKill(),
            full.profile(),
            full.eval(),
            full.lora());
    TransformersParityTest.train(parity, firstTwo, PrecisionOptions.FLOAT32, DispatchMode.LLEP, 2);
    Path rank0 = new CheckpointLayout(dir.resolve("checkpoints")).latest().orElseThrow().rankDir(0);
    try (SafetensorsFile saved = SafetensorsFile.open(rank0.resolve("model.safetensors"))) {
      assertTrue(
          saved.names().stream().allMatch(n -> n.contains(".lora_")),
          "the checkpoint holds more than adapters: " + saved.names());
    }
    TrainSettings resumed = FixtureRuns.resume(full, java.util.Set.of());
    MetricsRecorder metrics =
        TransformersParityTest.train(
            parity, resumed, PrecisionOptions.FLOAT32, DispatchMode.LLEP, 2);
    assertEquals(Set.of(3L), metrics.steps().keySet(), "resumed steps");
    assertClose(parity.steps().get(2).loss(), metrics.steps().get(3L).get("loss"), 1e-5, "step 3");
    try (PeftAdapterSource adapter =
        PeftAdapterSource.open(dir.resolve("export").resolve("step-3"), f.spec())) {
      assertClose(f.lossAfter(), loss(f, adapter), 1e-5, "the resumed run's adapter");
    }
  }

  /** LoRA options starting from the fixture's initial adapter. */
  private static LoraOptions options(LoraFixture f, boolean mergeOnExport, long cacheBytes) {
    return new LoraOptions(
        LoraOptions.TrainMethod.LORA,
        f.spec(),
        Optional.of(f.initialAdapter()),
        mergeOnExport,
        cacheBytes);
  }

  private static void assertSteps(
      ParityFixture parity,
      int world,
      Map<Long, Map<String, Double>> tracked,
      Map<Long, ExpertLoads.Step> trackedLoads) {
    assertEquals(parity.steps().size(), tracked.size(), "tracked steps");
    for (ParityFixture.Step expected : parity.steps()) {
      Map<String, Double> m = tracked.get((long) expected.step());
      String where = parity.name() + " step " + expected.step() + " on " + world + " rank(s)";
      assertClose(expected.loss(), m.get("loss"), 1e-5, where + ": loss");
      assertClose(expected.gradNorm(), m.get("grad_norm"), 1e-5, where + ": gradient norm");
      List<ExpertLoads.Layer> layers = trackedLoads.get((long) expected.step()).layers();
      for (int i = 0; i < expected.expertLoads().length; i++) {
        assertArrayEquals(
            expected.expertLoads()[i], layers.get(i).experts(), where + ": expert loads");
      }
      if (world > 1) {
        assertTrue(m.get("spilled_slots") > 0, where + ": LLEP spilled no slot");
        assertTrue(m.get("weight_mb_moved") > 0, where + ": no expert was lent");
      }
    }
  }

  /** PEFT's names, shapes and (to the steps' rounding) values, and PEFT's loss when loaded. */
  private static void assertAdapter(LoraFixture f, Path export) throws Exception {
    try (SafetensorsFile peft =
            SafetensorsFile.open(f.trainedAdapter().resolve("adapter_model.safetensors"));
        SafetensorsFile ours = SafetensorsFile.open(export.resolve("adapter_model.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      assertEquals(peft.names(), ours.names(), "adapter tensor names");
      for (String key : peft.names()) {
        assertEquals(peft.shape(key), ours.shape(key), key);
        assertNear(
            peft.read(key, m, DataType.FLOAT32).toFloatArray(),
            ours.read(key, m, DataType.FLOAT32).toFloatArray(),
            key);
      }
    }
    assertTrue(Files.readString(export.resolve("adapter_config.json")).contains("\"LORA\""));
    try (PeftAdapterSource adapter = PeftAdapterSource.open(export, f.spec())) {
      assertClose(f.lossAfter(), loss(f, adapter), 1e-5, "the exported adapter's loss");
    }
  }

  /** PEFT's merge_and_unload, to the steps' rounding, with PEFT's loss when loaded. */
  private static void assertMerged(LoraFixture f, Path merged) throws Exception {
    try (SafetensorsFile peft = SafetensorsFile.open(f.merged());
        HfCheckpoint ours = HfCheckpoint.open(merged);
        NDManager m = NDManager.newBaseManager()) {
      assertEquals(peft.names(), ours.names(), "merged tensor names");
      for (String key : peft.names()) {
        assertNear(
            peft.read(key, m, DataType.FLOAT32).toFloatArray(),
            ours.read(key, m, DataType.FLOAT32).toFloatArray(),
            key);
      }
    }
    try (NDManager manager = NDManager.newBaseManager();
        HfCheckpoint model = HfCheckpoint.open(merged);
        MoeTransformer loaded =
            MoeTransformer.load(
                HfConfigParser.parse(model.configText()),
                model,
                ModelShard.single(),
                Planner.create(DispatchMode.EP, PlannerOptions.defaults()),
                DataType.FLOAT32,
                manager)) {
      assertClose(f.lossAfter(), meanLoss(f, loaded), 1e-5, "the merged model's loss");
    }
  }

  private static double loss(LoraFixture f, TensorSource adapter) throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        HfCheckpoint base = HfCheckpoint.open(f.modelDir());
        MoeTransformer model = f.load(base, adapter, DataType.FLOAT32, manager)) {
      return meanLoss(f, model);
    }
  }

  private static double meanLoss(LoraFixture f, MoeTransformer model) {
    try (NDManager step = NDManager.newBaseManager()) {
      LossOutput out =
          model.loss(
              DistributedTape.inference(new SingleProcessCommunicator()),
              step,
              TokenBatch.causalLm(f.inputIds()).withLabels(f.labels()));
      return out.loss().sum().getFloat() / out.loss().count();
    }
  }

  /**
   * Within 1e-4 in relative norm, ||actual - expected|| / ||expected||: after three AdamW steps
   * from gradients equal up to rounding. Adam divides each gradient by its own running magnitude,
   * so an element whose gradient is small moves by about the learning rate either way and keeps
   * that gradient's relative rounding error: element by element the trained values differ by up to
   * 2e-5 (learning rate 5e-3), the tensors as a whole by far less. The layout is checked exactly by
   * {@code PeftFilesTest}, and the losses above by PEFT's bound.
   */
  private static void assertNear(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    double difference = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      difference += Math.pow(expected[i] - actual[i], 2);
      norm += Math.pow(expected[i], 2);
    }
    double relative = Math.sqrt(difference / norm);
    assertFalse(relative > 1e-4, what + ": differs from PEFT's by " + relative + " in norm");
  }

  private static void assertClose(double expected, double actual, double tolerance, String what) {
    double error = Math.abs(actual - expected) / Math.abs(expected);
    assertTrue(
        error <= tolerance,
        () -> what + ": " + actual + ", PEFT " + expected + " (relative error " + error + ")");
  }
}
