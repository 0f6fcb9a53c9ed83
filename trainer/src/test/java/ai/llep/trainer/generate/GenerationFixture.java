package ai.llep.trainer.generate;

import static ai.llep.models.FixtureFiles.ints2;
import static ai.llep.models.FixtureFiles.json;

import ai.llep.models.FixtureFiles;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One folder of {@code fixtures/generation} (written by {@code
 * scripts/fixtures/make-generation-fixtures.py}): a tiny model of {@code fixtures/parity}, prompts
 * as token ids, and the new tokens of transformers' greedy {@code generate} for each.
 */
record GenerationFixture(
    String name, Path modelDir, int maxNewTokens, int[][] prompts, int[][] greedy) {
  static final String KIND = "generation-parity";

  static List<GenerationFixture> all() {
    Path root = FixtureFiles.root("generation");
    try (Stream<Path> folders = Files.list(root.resolve("generation"))) {
      List<GenerationFixture> out = new ArrayList<>();
      for (Path folder : folders.sorted().toList()) {
        if (json(folder.resolve("manifest.json")).get("kind").getAsString().equals(KIND)) {
          JsonObject expected = json(folder.resolve("expected.json"));
          out.add(
              new GenerationFixture(
                  folder.getFileName().toString(),
                  root.resolve(expected.get("model").getAsString()),
                  expected.get("max_new_tokens").getAsInt(),
                  ints2(expected.getAsJsonArray("prompts")),
                  ints2(expected.getAsJsonArray("greedy"))));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static GenerationFixture named(String name) {
    return all().stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no generation fixture " + name));
  }
}
