package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.HfCheckpointWriter;
import ai.llep.models.hf.SafetensorsWriter;
import ai.llep.trainer.config.ConfigLoader;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train.precision} and {@code train.export-dtype}: binding, defaults per device, errors. */
class PrecisionTest {
  private static final IntUnaryOperator HOPPER = gpu -> 90;
  private static final IntUnaryOperator VOLTA = gpu -> 70;

  @Test
  void autoIsBfloat16OnGpusWithBfloat16TensorCoresAndFloat32Elsewhere() {
    assertEquals(Precision.BF16, Precision.AUTO.on(Device.gpu(1), HOPPER));
    assertEquals(Precision.FLOAT32, Precision.AUTO.on(Device.gpu(0), VOLTA));
    assertEquals(Precision.FLOAT32, Precision.AUTO.on(Device.cpu(), HOPPER));
    assertEquals(Precision.FLOAT32, Precision.AUTO.on(Device.cpu()), "no CUDA needed on CPU");
  }

  @Test
  void tf32IsFloat32OnTheCpuAndExplicitModesStay() {
    assertEquals(Precision.FLOAT32, Precision.TF32.on(Device.cpu(), HOPPER));
    assertEquals(Precision.TF32, Precision.TF32.on(Device.gpu(0), HOPPER));
    assertEquals(Precision.BF16, Precision.BF16.on(Device.cpu(), HOPPER));
    assertEquals(Precision.FLOAT32, Precision.FLOAT32.on(Device.gpu(0), HOPPER));
    assertNull(Precision.TF32.applyMatmulMode(Device.cpu()), "the CPU has no TF32 switch");
  }

  @Test
  void modesComputeInTheirTypes() {
    assertEquals(DataType.BFLOAT16, Precision.BF16.computeType());
    assertEquals(DataType.FLOAT32, Precision.TF32.computeType());
    assertEquals(DataType.FLOAT32, Precision.FLOAT32.computeType());
  }

  @Test
  void theDefaultsAreAutoAndBindFromTheConfig() {
    Config config =
        new ConfigLoader()
            .load(Optional.empty(), List.of("train.precision=bf16", "train.export-dtype=float16"))
            .config();
    assertEquals(
        new PrecisionOptions(Precision.BF16, ExportDtype.FLOAT16),
        PrecisionOptions.parse(
            config.getString("train.precision"), config.getString("train.export-dtype")));
    Config defaults = new ConfigLoader().load(Optional.empty(), List.of()).config();
    assertEquals("auto", defaults.getString("train.precision"));
    assertEquals("auto", defaults.getString("train.export-dtype"));
  }

  @Test
  void badValuesNameTheKeyAndTheChoices() {
    IllegalArgumentException precision =
        assertThrows(IllegalArgumentException.class, () -> PrecisionOptions.parse("fp16", "auto"));
    assertEquals(
        "train.precision=fp16 is not one of: auto, float32, tf32, bf16", precision.getMessage());
    IllegalArgumentException export =
        assertThrows(IllegalArgumentException.class, () -> PrecisionOptions.parse("auto", "bf16"));
    assertEquals(
        "train.export-dtype=bf16 is not one of: auto, float32, bfloat16, float16",
        export.getMessage());
  }

  @Test
  void autoExportsInTheSourcesType(@TempDir Path dir) throws Exception {
    ParityFixture fixture = ParityFixture.all().getFirst();
    assertEquals(
        DataType.FLOAT32,
        ExportDtype.AUTO.resolve(new ModelSpec(fixture.modelDir().toString(), 0)));
    Path bf16 = dir.resolve("bf16");
    try (HfCheckpoint source = HfCheckpoint.open(fixture.modelDir())) {
      new HfCheckpointWriter(
              HfCheckpointWriter.DEFAULT_MAX_SHARD_BYTES, SafetensorsWriter.FloatStorage.BF16)
          .write(bf16, source.configText(), source, Map.of(), Map.of());
    }
    assertEquals(DataType.BFLOAT16, ExportDtype.AUTO.resolve(new ModelSpec(bf16.toString(), 0)));
    assertEquals(DataType.FLOAT32, ExportDtype.AUTO.resolve(new ModelSpec(ModelSpec.TINY, 8)));
    assertEquals(
        DataType.BFLOAT16, ExportDtype.BFLOAT16.resolve(new ModelSpec(Path.of("x").toString(), 0)));
  }
}
