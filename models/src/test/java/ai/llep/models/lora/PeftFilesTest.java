package ai.llep.models.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.models.LossOutput;
import ai.llep.models.MoeTransformer;
import ai.llep.models.TokenBatch;
import ai.llep.models.family.HfConfigParser;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.SafetensorsFile;
import ai.llep.tape.DistributedTape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PEFT's own adapter files (fixtures made by {@code scripts/fixtures/make-lora-fixtures.py}) read,
 * computed with and written back: the adapted model gives PEFT's losses, a written adapter holds
 * PEFT's tensors under PEFT's names, and the merged base equals PEFT's {@code merge_and_unload}.
 */
class PeftFilesTest {
  @ParameterizedTest
  @ValueSource(strings = {"mixtral", "olmoe", "qwen3-moe", "qwen3-moe-dense-tied"})
  void peftAdaptersGivePeftsLosses(String name) throws Exception {
    LoraFixture f = LoraFixture.named(name);
    assertClose(f.step1Loss(), loss(f, f.initialAdapter()), 1e-5, name + " initial adapter");
    assertClose(f.lossAfter(), loss(f, f.trainedAdapter()), 1e-5, name + " trained adapter");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mixtral", "qwen3-moe-dense-tied"})
  void aWrittenAdapterHoldsPeftsTensorsUnderPeftsNames(String name, @TempDir Path dir)
      throws Exception {
    LoraFixture f = LoraFixture.named(name);
    Path written = dir.resolve("adapter");
    try (HfCheckpoint base = HfCheckpoint.open(f.modelDir());
        PeftAdapterSource source = PeftAdapterSource.open(f.trainedAdapter(), f.spec())) {
      ModelConfig config = HfConfigParser.parse(base.configText());
      PeftAdapterWriter.write(written, f.spec(), config, source, "base");
    }
    try (SafetensorsFile expected =
            SafetensorsFile.open(f.trainedAdapter().resolve("adapter_model.safetensors"));
        SafetensorsFile actual =
            SafetensorsFile.open(written.resolve("adapter_model.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      assertEquals(expected.names(), actual.names(), "tensor names");
      for (String key : expected.names()) {
        assertEquals("F32", actual.storedType(key), key);
        assertArrayEquals(
            expected.read(key, m, DataType.FLOAT32).toFloatArray(),
            actual.read(key, m, DataType.FLOAT32).toFloatArray(),
            key);
      }
    }
    PeftAdapterConfig.check(
        Files.readString(written.resolve("adapter_config.json")), "written", f.spec());
    PeftAdapterConfig.check(
        Files.readString(f.trainedAdapter().resolve("adapter_config.json")), "fixture", f.spec());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mixtral", "olmoe", "qwen3-moe"})
  void mergedWeightsArePeftsMergeAndUnload(String name) throws Exception {
    LoraFixture f = LoraFixture.named(name);
    try (HfCheckpoint base = HfCheckpoint.open(f.modelDir());
        PeftAdapterSource adapter = PeftAdapterSource.open(f.trainedAdapter(), f.spec());
        SafetensorsFile peft = SafetensorsFile.open(f.merged());
        NDManager m = NDManager.newBaseManager()) {
      MergedTensors merged =
          new MergedTensors(base, adapter, f.spec(), HfConfigParser.parse(base.configText()));
      assertEquals(peft.names(), merged.names(), "tensor names");
      int changed = 0;
      for (String key : peft.names()) {
        float[] expected = peft.read(key, m, DataType.FLOAT32).toFloatArray();
        float[] actual = merged.read(key, m, DataType.FLOAT32).toFloatArray();
        float[] original = base.read(key, m, DataType.FLOAT32).toFloatArray();
        double worst = 0;
        boolean differs = false;
        for (int i = 0; i < expected.length; i++) {
          worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
          differs |= expected[i] != original[i];
        }
        changed += differs ? 1 : 0;
        assertTrue(worst <= 1e-6, key + ": merged differs from PEFT's by " + worst);
      }
      assertTrue(changed > 10, "only " + changed + " tensors changed by the merge");
    }
  }

  /** The fixture batch's mean loss with the adapter in {@code folder}, on one rank. */
  private static double loss(LoraFixture f, Path folder) throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        HfCheckpoint base = HfCheckpoint.open(f.modelDir());
        PeftAdapterSource adapter = PeftAdapterSource.open(folder, f.spec());
        MoeTransformer model = f.load(base, adapter, DataType.FLOAT32, manager);
        NDManager step = manager.newSubManager()) {
      LossOutput out =
          model.loss(
              DistributedTape.inference(new SingleProcessCommunicator()),
              step,
              TokenBatch.causalLm(f.inputIds()).withLabels(f.labels()));
      NDArray sum = out.loss().sum();
      return sum.getFloat() / out.loss().count();
    }
  }

  private static void assertClose(double expected, double actual, double tolerance, String what) {
    double error = Math.abs(actual - expected) / Math.abs(expected);
    assertTrue(
        error <= tolerance,
        () -> what + ": " + actual + ", PEFT " + expected + " (relative error " + error + ")");
  }
}
