package ai.llep.trainer.generate;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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
    Path root = root();
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

  /** The repository's {@code fixtures} folder, found upwards from the working directory. */
  private static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("fixtures").resolve("generation"))) {
        return dir.resolve("fixtures");
      }
    }
    throw new IllegalStateException(
        "no fixtures/generation folder above " + Path.of("").toAbsolutePath());
  }

  private static JsonObject json(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int[][] ints2(JsonArray rows) {
    int[][] out = new int[rows.size()][];
    for (int r = 0; r < out.length; r++) {
      JsonArray row = rows.get(r).getAsJsonArray();
      out[r] = new int[row.size()];
      for (int c = 0; c < row.size(); c++) {
        out[r][c] = row.get(c).getAsInt();
      }
    }
    return out;
  }
}
