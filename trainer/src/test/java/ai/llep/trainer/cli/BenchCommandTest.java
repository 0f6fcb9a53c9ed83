package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.types.DataType;
import ai.llep.dispatch.ExpertGemm;
import ai.llep.models.experts.ExpertKind;
import ai.llep.trainer.bench.BenchOptions;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** bench's keys as a user writes them: the layer's expert function, the dtype, the GEMM mode. */
class BenchCommandTest {
  private static BenchOptions options(String... args) {
    return BenchCommand.options(new ConfigLoader().load(Optional.empty(), List.of(args)).config());
  }

  @Test
  void bindsTheGptOss20bLayerInBfloat16() {
    BenchOptions o =
        options("bench.layer=gpt-oss-20b", "bench.dtype=bfloat16", "bench.gemm=grouped");
    assertEquals(32, o.layer().experts());
    assertEquals(ExpertKind.GPT_OSS, o.layer().function());
    assertEquals(DataType.BFLOAT16, o.dataType());
    assertEquals(ExpertGemm.GROUPED, o.gemm());
    assertEquals(ExpertGemm.AUTO, options().gemm());
  }

  @Test
  void customLayerTakesItsExpertFunction() {
    assertEquals(
        ExpertKind.GPT_OSS,
        options("bench.layer=custom", "bench.expert-function=gpt-oss").layer().function());
    assertEquals(ExpertKind.SWIGLU, options("bench.layer=custom").layer().function());
  }

  @Test
  void badValuesNameTheirKey() {
    assertEquals(
        "bench.expert-function must be swiglu or gpt-oss, got 'relu'",
        assertThrows(
                ConfigError.class,
                () -> options("bench.layer=custom", "bench.expert-function=relu"))
            .getMessage());
    assertEquals(
        "bench.gemm=fused is not one of: auto, batched, grouped",
        assertThrows(ConfigError.class, () -> options("bench.gemm=fused")).getMessage());
    assertEquals(
        "bench.dtype must be float16, float32 or bfloat16, got float64",
        assertThrows(ConfigError.class, () -> options("bench.dtype=float64")).getMessage());
  }
}
