package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.models.ActivationCheckpointing;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import com.typesafe.config.Config;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code train.activation-checkpointing} binds to the train section, or says what is valid. */
class ActivationCheckpointingSettingTest {
  private static Config config(String... overrides) {
    return new ConfigLoader().load(Optional.empty(), List.of(overrides)).config();
  }

  @Test
  void defaultsToNoneAndBindsEveryMode() {
    assertEquals(
        ActivationCheckpointing.NONE, TrainBinding.loop(config()).activationCheckpointing());
    assertEquals(
        ActivationCheckpointing.MOE,
        TrainBinding.loop(config("train.activation-checkpointing=moe")).activationCheckpointing());
    assertEquals(
        ActivationCheckpointing.FULL,
        TrainBinding.loop(config("train.activation-checkpointing=FULL")).activationCheckpointing());
  }

  @Test
  void anUnknownModeNamesTheKeyAndTheValidModes() {
    ConfigError error =
        assertThrows(
            ConfigError.class,
            () -> TrainBinding.loop(config("train.activation-checkpointing=selective")));
    assertEquals(
        "train.activation-checkpointing=selective is not one of: none, moe, full",
        error.getMessage());
  }
}
