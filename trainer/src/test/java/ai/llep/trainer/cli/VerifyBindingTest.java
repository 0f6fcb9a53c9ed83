package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.types.DataType;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.verify.VerifyOptions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The verify section as the command binds it: the dtype, and the tolerance {@code auto} picks. */
class VerifyBindingTest {
  @Test
  void autoToleranceFollowsTheDtype() {
    VerifyOptions bf16 = bind("verify.dtype=bfloat16");
    assertEquals(DataType.BFLOAT16, bf16.dataType());
    assertEquals(3e-2, bf16.tolerance());
    assertEquals(1e-5, bind("verify.dtype=float32").tolerance());
    assertEquals(1e-5, bind("verify.dtype=float64").tolerance());
    assertEquals(0.05, bind("verify.dtype=bfloat16", "verify.tolerance=0.05").tolerance());
  }

  @Test
  void badValuesNameTheKey() {
    assertEquals(
        "verify.tolerance=tight is not a number or auto",
        assertThrows(ConfigError.class, () -> bind("verify.tolerance=tight")).getMessage());
    assertEquals(
        "verify.dtype=bf16 is not one of: float32, float64, float16, bfloat16",
        assertThrows(ConfigError.class, () -> bind("verify.dtype=bf16")).getMessage());
    assertEquals(
        "verify.dtype must be float32, float64 or bfloat16, got float16",
        assertThrows(ConfigError.class, () -> bind("verify.dtype=float16")).getMessage());
  }

  private static VerifyOptions bind(String... overrides) {
    return VerifyCommand.options(
        new ConfigLoader().load(Optional.empty(), List.of(overrides)).config());
  }
}
