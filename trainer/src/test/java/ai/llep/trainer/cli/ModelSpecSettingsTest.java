package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.train.ModelSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The model keys as train binds them, and the errors that name them. */
class ModelSpecSettingsTest {
  private static ModelSpec bind(String... overrides) {
    return TrainBinding.modelSpec(
        new ConfigLoader().load(Optional.empty(), List.of(overrides)).config());
  }

  @Test
  void weightsFromTheCheckpointOrDrawnFromTheSeed() {
    assertEquals(new ModelSpec("tiny-moe", 8, false), bind());
    assertEquals(
        new ModelSpec("models/qwen3", 8, true),
        bind("model.source=models/qwen3", "model.weights=random"));
    assertEquals(
        new ModelSpec("models/qwen3", 4, false),
        bind("model.source=models/qwen3", "model.tiny-experts=4"));
  }

  @Test
  void anUnknownWeightsValueOrRandomTinyMoeIsRefusedByKey() {
    assertEquals(
        "model.weights=zeros is not one of: checkpoint, random",
        assertThrows(ConfigError.class, () -> bind("model.weights=zeros")).getMessage());
    assertEquals(
        "model.weights=random is for a Hugging Face model folder; tiny-moe's weights are always"
            + " drawn from the seed",
        assertThrows(ConfigError.class, () -> bind("model.weights=random")).getMessage());
  }
}
