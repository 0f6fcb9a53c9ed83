package ai.llep.models.lora;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * One folder of {@code fixtures/lora} (written by {@code scripts/fixtures/make-lora-fixtures.py})
 * with the parity fixture whose model and batch it adapts.
 */
record LoraFixture(
    String name,
    Path folder,
    Path modelDir,
    LoraSpec spec,
    JsonObject expected,
    int[][] inputIds,
    int[][] labels) {
  static final String[] NAMES = {"mixtral", "olmoe", "qwen3-moe", "qwen3-moe-dense-tied"};

  static LoraFixture named(String name) {
    Path root = root();
    Path folder = root.resolve("lora").resolve(name);
    JsonObject lora = json(folder.resolve("lora.json"));
    Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
    for (JsonElement t : lora.getAsJsonArray("lora.targets")) {
      targets.add(LoraTarget.parse("lora.targets", t.getAsString()));
    }
    LoraSpec spec =
        new LoraSpec(
            lora.get("lora.rank").getAsInt(),
            lora.get("lora.alpha").getAsDouble(),
            lora.get("lora.dropout").getAsDouble(),
            lora.get("lora.use-rslora").getAsBoolean(),
            LoraInit.KAIMING,
            targets,
            1);
    Path parity = root.resolve("parity").resolve(name);
    JsonObject batch = json(parity.resolve("batch.json"));
    return new LoraFixture(
        name,
        folder,
        parity.resolve("model"),
        spec,
        json(folder.resolve("expected.json")),
        ints2(batch.getAsJsonArray("input_ids")),
        ints2(batch.getAsJsonArray("labels")));
  }

  Path initialAdapter() {
    return folder.resolve("adapter-initial");
  }

  Path trainedAdapter() {
    return folder.resolve("adapter-trained");
  }

  double step1Loss() {
    return expected.getAsJsonArray("steps").get(0).getAsJsonObject().get("loss").getAsDouble();
  }

  double lossAfter() {
    return expected.get("loss_after").getAsDouble();
  }

  private static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("fixtures").resolve("lora"))) {
        return dir.resolve("fixtures");
      }
    }
    throw new IllegalStateException("no fixtures/lora above " + Path.of("").toAbsolutePath());
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
