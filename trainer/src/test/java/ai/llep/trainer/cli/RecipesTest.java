package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.data.DataFile;
import ai.llep.trainer.train.TrainSettings;
import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every bundled recipe loads with only valid keys and binds to training settings; only the tiny one
 * brings data of its own, and a recipe that names none stops before any model loads.
 */
class RecipesTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final String DATA = "data.files=[\"recipes/data/tiny-sft.jsonl\"]";

  private static Config load(String recipe, String... args) {
    return new ConfigLoader()
        .load(Optional.of(ROOT.resolve("recipes").resolve(recipe)), List.of(args))
        .config();
  }

  private static TrainSettings bind(Config config) {
    return TrainBinding.settings(config, Optional.of(ROOT));
  }

  @Test
  void everyRecipeBindsOnceItNamesData() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(ROOT.resolve("recipes"))) {
      files = list.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    assertTrue(files.size() >= 4, "recipes: " + files);
    for (Path recipe : files) {
      TrainSettings settings = bind(load(recipe.getFileName().toString(), DATA));
      assertEquals(
          ROOT.resolve("recipes/data/tiny-sft.jsonl"),
          settings.data().files().getFirst().path(),
          recipe.toString());
    }
  }

  @Test
  void theTinyRecipeBringsItsOwnData() {
    TrainSettings settings = bind(load("tiny-moe-sft.conf"));
    assertEquals(
        List.of(DataFile.of(ROOT.resolve("recipes/data/tiny-sft.jsonl"))), settings.data().files());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "mixtral-sft.conf",
        "qwen3-moe-sft.conf",
        "olmoe-sft.conf",
        "gpt-oss-20b-sft.conf"
      })
  void aRealModelRecipeWithoutDataIsAnError(String recipe) {
    ConfigError e = assertThrows(ConfigError.class, () -> bind(load(recipe, "model.source=x")));
    assertEquals(
        "data.files is empty: name the JSONL files to train on, e.g."
            + " 'data.files=[\"train.jsonl\"]' (only recipes/tiny-moe-sft.conf brings data of its"
            + " own)",
        e.getMessage());
  }

  @Test
  void aMissingDataFileIsNamed() {
    ConfigError e =
        assertThrows(
            ConfigError.class,
            () -> bind(load("tiny-moe-sft.conf", "data.files=[\"no/such.jsonl\"]")));
    assertEquals("data.files: no/such.jsonl does not exist", e.getMessage());
  }

  @Test
  void anUnknownTruncationNamesTheChoices() {
    ConfigError e =
        assertThrows(
            ConfigError.class, () -> bind(load("tiny-moe-sft.conf", "data.truncation=cut")));
    assertEquals("data.truncation=cut is not one of: truncate, drop, error", e.getMessage());
  }
}
