package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code optim.zero} binds to the optim section, or says what is valid and with what. */
class ZeroSettingTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  private static Config config(String... overrides) {
    return new ConfigLoader()
        .load(Optional.of(ROOT.resolve("recipes").resolve("tiny-moe-sft.conf")), List.of(overrides))
        .config();
  }

  @Test
  void offByDefaultAndStageOneOnRequest() {
    assertEquals(0, TrainBinding.optim(config()).zero());
    assertEquals(1, TrainBinding.optim(config("optim.zero=1")).zero());
  }

  @Test
  void otherStagesAndLoraAreRefusedNamingTheKey() {
    assertEquals(
        "optim.zero must be 0 (off) or 1 (shard the replicated parameters' optimizer state), got 2",
        assertThrows(ConfigError.class, () -> TrainBinding.optim(config("optim.zero=2")))
            .getMessage());
    assertEquals(
        "optim.zero=1 applies to train.method=full; with train.method=lora only the adapters train"
            + " and their optimizer state is small (set optim.zero=0)",
        assertThrows(
                ConfigError.class,
                () ->
                    TrainBinding.settings(
                        config("optim.zero=1", "train.method=lora"), Optional.of(ROOT)))
            .getMessage());
  }
}
