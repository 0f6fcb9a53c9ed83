package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.train.TrainSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every bundled recipe loads with only valid keys and binds to training settings. */
class RecipesTest {
  @Test
  void everyRecipeIsValid() throws IOException {
    Path recipes = Path.of("").toAbsolutePath().getParent().resolve("recipes");
    List<Path> files;
    try (Stream<Path> list = Files.list(recipes)) {
      files = list.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    assertTrue(files.size() >= 4, "recipes: " + files);
    for (Path recipe : files) {
      var config = new ConfigLoader().load(Optional.of(recipe), List.of()).config();
      TrainSettings settings = TrainCommand.settings(config);
      assertFalse(settings.dataFiles().isEmpty(), recipe.toString());
    }
  }
}
