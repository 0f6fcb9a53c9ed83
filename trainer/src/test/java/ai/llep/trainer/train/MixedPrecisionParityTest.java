package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.plan.DispatchMode;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code train.precision=bf16} against the parity fixtures ({@code fixtures/parity}): the step-1
 * loss is transformers' with the model loaded in bfloat16; EP and LLEP agree on 2 and 3 ranks (to
 * bfloat16's precision, and to float32's in float32); a run resumed from a checkpoint continues bit
 * for bit; and the export is written in the type asked for.
 */
class MixedPrecisionParityTest {
  /** The bfloat16 acceptance bound (relative), against transformers and between EP and LLEP. */
  static final double BF16_TOLERANCE = 1e-2;

  /** EP against LLEP in float32 (relative). */
  static final double FLOAT32_TOLERANCE = 1e-4;

  private static final PrecisionOptions BF16 =
      new PrecisionOptions(Precision.BF16, ExportDtype.AUTO);

  static Stream<String> fixtures() {
    return ParityFixture.all().stream().map(ParityFixture::name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void stepOneLossIsTransformersBfloat16Loss(String name, @TempDir Path dir) throws Exception {
    ParityFixture fixture = ParityFixture.named(name);
    TrainSettings settings = fixture.settings(1, 1, dir.resolve("checkpoints"), null);
    Map<Long, Map<String, Double>> steps =
        TransformersParityTest.train(fixture, settings, BF16, DispatchMode.LLEP, 1).steps();
    assertClose(
        fixture.bf16Step1Loss(),
        steps.get(1L).get("loss"),
        BF16_TOLERANCE,
        name + ": bf16 step-1 loss against transformers' bf16");
    double fromFloat32 =
        Math.abs(steps.get(1L).get("loss") - fixture.steps().getFirst().loss())
            / fixture.steps().getFirst().loss();
    assertTrue(
        fromFloat32 > 1e-6,
        name
            + ": the bf16 step-1 loss is float32's to "
            + fromFloat32
            + "; float32 gives it to 3e-7, so bfloat16 did not run");
    for (ParityFixture.Step expected : fixture.steps()) {
      assertClose(
          expected.loss(),
          steps.get((long) expected.step()).get("loss"),
          BF16_TOLERANCE,
          name + " step " + expected.step() + ": bf16 loss against transformers' float32");
    }
  }

  /** Two fixtures, to keep the suite lean; every fixture spills under LLEP on 2 and 3 ranks. */
  static Stream<String> distributedFixtures() {
    return Stream.of("mixtral", "qwen3-moe-dense-tied");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributedFixtures")
  void epAndLlepAgreeInBfloat16OnTwoAndThreeRanks(String name, @TempDir Path dir) throws Exception {
    ParityFixture fixture = ParityFixture.named(name);
    for (int world : new int[] {2, 3}) {
      Map<Long, Map<String, Double>> ep = run(fixture, BF16, DispatchMode.EP, world, dir);
      Map<Long, Map<String, Double>> llep = run(fixture, BF16, DispatchMode.LLEP, world, dir);
      assertAgree(ep, llep, BF16_TOLERANCE, name + " bf16 on " + world + " ranks");
      for (Map<String, Double> step : llep.values()) {
        assertTrue(step.get("spilled_slots") > 0, name + ": LLEP spilled no slot in bf16");
      }
    }
  }

  @Test
  void epAndLlepAgreeInFloat32OnTwoAndThreeRanks(@TempDir Path dir) throws Exception {
    ParityFixture fixture = ParityFixture.named("qwen3-moe");
    for (int world : new int[] {2, 3}) {
      Map<Long, Map<String, Double>> ep =
          run(fixture, PrecisionOptions.FLOAT32, DispatchMode.EP, world, dir);
      Map<Long, Map<String, Double>> llep =
          run(fixture, PrecisionOptions.FLOAT32, DispatchMode.LLEP, world, dir);
      assertAgree(ep, llep, FLOAT32_TOLERANCE, "qwen3-moe float32 on " + world + " ranks");
    }
  }

  /**
   * A bf16 run on 2 ranks with LLEP, checkpointing every step, against one resumed from its step-1
   * checkpoint: steps 2 and 3 give the same loss and gradient norm bit for bit (the checkpoint
   * holds the float32 master weights and moments; the bfloat16 copies are made from them). The
   * first run exports in bfloat16, the resumed one in the source's float32: each tensor of the
   * first export is the bfloat16 rounding of the second's.
   */
  @Test
  void aResumedBfloat16RunContinuesExactlyAndExportsInTheTypeAsked(@TempDir Path dir)
      throws Exception {
    ParityFixture fixture = ParityFixture.named("olmoe");
    Path first = dir.resolve("first");
    TrainSettings straight =
        fixture.settings(
            2,
            1,
            first.resolve("checkpoints"),
            first.resolve("export"),
            1,
            3,
            LoopOptions.Resume.NONE);
    PrecisionOptions bf16Export = new PrecisionOptions(Precision.BF16, ExportDtype.BFLOAT16);
    Map<Long, Map<String, Double>> uninterrupted =
        TransformersParityTest.train(fixture, straight, bf16Export, DispatchMode.LLEP, 2).steps();

    Path second = dir.resolve("second");
    String stepOne = "step-00000001";
    copyTree(first.resolve("checkpoints").resolve(stepOne), second.resolve("checkpoints"), stepOne);
    TrainSettings resumed =
        fixture.settings(
            2,
            1,
            second.resolve("checkpoints"),
            second.resolve("export"),
            1,
            3,
            LoopOptions.Resume.LATEST);
    Map<Long, Map<String, Double>> continued =
        TransformersParityTest.train(fixture, resumed, BF16, DispatchMode.LLEP, 2).steps();

    assertEquals(java.util.Set.of(2L, 3L), continued.keySet(), "the resumed run's steps");
    for (long step : new long[] {2, 3}) {
      for (String metric : new String[] {"loss", "grad_norm"}) {
        assertEquals(
            uninterrupted.get(step).get(metric),
            continued.get(step).get(metric),
            "step " + step + " " + metric + " after resuming");
      }
    }
    Path bf16Folder = first.resolve("export").resolve("step-3");
    Path f32Folder = second.resolve("export").resolve("step-3");
    try (HfCheckpoint bf16 = HfCheckpoint.open(bf16Folder);
        HfCheckpoint f32 = HfCheckpoint.open(f32Folder);
        NDManager manager = NDManager.newBaseManager("PyTorch")) {
      assertEquals(
          "bfloat16",
          JsonParser.parseString(bf16.configText()).getAsJsonObject().get("dtype").getAsString());
      try (HfCheckpoint source = HfCheckpoint.open(fixture.modelDir())) {
        assertEquals(source.configText(), f32.configText(), "a float32 export keeps config.json");
      }
      assertEquals(f32.names(), bf16.names());
      for (String name : f32.names()) {
        assertEquals("BF16", bf16.storedType(name), name);
        assertEquals("F32", f32.storedType(name), name);
        float[] master = f32.read(name, manager, DataType.FLOAT32).toFloatArray();
        float[] rounded = new float[master.length];
        for (int i = 0; i < master.length; i++) {
          rounded[i] = bf16(master[i]);
        }
        assertArrayEquals(
            rounded,
            bf16.read(name, manager, DataType.FLOAT32).toFloatArray(),
            name + ": the bfloat16 export is the rounding of the same (resumed) weights");
      }
    }
  }

  /**
   * Each step's metrics of a run of the fixture's steps, with checkpoints in a folder of its own.
   */
  private static Map<Long, Map<String, Double>> run(
      ParityFixture fixture, PrecisionOptions precision, DispatchMode mode, int world, Path dir)
      throws Exception {
    Path checkpoints = dir.resolve(precision.precision() + "-" + mode + "-" + world);
    TrainSettings settings = fixture.settings(world, 1, checkpoints, null);
    return TransformersParityTest.train(fixture, settings, precision, mode, world).steps();
  }

  private static void assertAgree(
      Map<Long, Map<String, Double>> ep,
      Map<Long, Map<String, Double>> llep,
      double tolerance,
      String what) {
    assertEquals(ep.keySet(), llep.keySet(), what + ": steps");
    for (long step : ep.keySet()) {
      assertClose(
          ep.get(step).get("loss"),
          llep.get(step).get("loss"),
          tolerance,
          what + " step " + step + ": LLEP loss against EP's");
    }
  }

  private static void assertClose(double expected, double actual, double tolerance, String what) {
    double error = Math.abs(actual - expected) / Math.abs(expected);
    assertTrue(
        error <= tolerance,
        () -> what + ": " + actual + ", expected " + expected + " (relative error " + error + ")");
  }

  /** The bfloat16 value nearest {@code x} (ties to even), as a float. */
  private static float bf16(float x) {
    int bits = Float.floatToRawIntBits(x);
    bits += 0x7fff + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(bits & 0xffff0000);
  }

  private static void copyTree(Path from, Path intoParent, String name) throws Exception {
    Path target = intoParent.resolve(name);
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path to = target.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
  }
}
