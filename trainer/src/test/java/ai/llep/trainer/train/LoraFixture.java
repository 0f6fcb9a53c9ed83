package ai.llep.trainer.train;

import ai.llep.models.lora.LoraInit;
import ai.llep.models.lora.LoraSpec;
import ai.llep.models.lora.LoraTarget;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One folder of {@code fixtures/lora} (written by {@code scripts/fixtures/make-lora-fixtures.py}):
 * PEFT's adapters on the model and batch of the parity fixture of the same name, the LoRA run as
 * config keys, and what PEFT + transformers + {@code torch.optim.AdamW} computed training only the
 * adapters.
 *
 * @param parity the base model and batch, with this fixture's run and expected steps
 */
record LoraFixture(String name, Path folder, ParityFixture parity, LoraSpec spec) {
  static LoraFixture named(String name) {
    Path folder = ParityFixture.root().resolve("lora").resolve(name);
    ParityFixture base = ParityFixture.named(name);
    JsonObject expected = json(folder.resolve("expected.json"));
    List<ParityFixture.Step> steps = new ArrayList<>();
    for (JsonElement e : expected.getAsJsonArray("steps")) {
      JsonObject s = e.getAsJsonObject();
      steps.add(
          new ParityFixture.Step(
              s.get("step").getAsInt(),
              s.get("lr").getAsDouble(),
              s.get("loss").getAsDouble(),
              s.get("grad_norm").getAsDouble(),
              longs2(s.getAsJsonArray("expert_loads"))));
    }
    ParityFixture parity =
        new ParityFixture(
            name,
            base.modelDir(),
            base.inputIds(),
            base.labels(),
            json(folder.resolve("training.json")),
            steps,
            base.moeLayers(),
            expected.get("loss_after").getAsDouble(),
            Double.NaN,
            base.seed());
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
            base.seed());
    return new LoraFixture(name, folder, parity, spec);
  }

  Path initialAdapter() {
    return folder.resolve("adapter-initial");
  }

  Path trainedAdapter() {
    return folder.resolve("adapter-trained");
  }

  Path merged() {
    return folder.resolve("merged").resolve("model.safetensors");
  }

  /** LoRA options starting from the fixture's initial adapter. */
  LoraOptions options(boolean mergeOnExport, long cacheBytes) {
    return new LoraOptions(
        LoraOptions.TrainMethod.LORA,
        spec,
        Optional.of(initialAdapter()),
        mergeOnExport,
        cacheBytes);
  }

  private static JsonObject json(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long[][] longs2(JsonArray rows) {
    long[][] out = new long[rows.size()][];
    for (int r = 0; r < out.length; r++) {
      JsonArray row = rows.get(r).getAsJsonArray();
      out[r] = new long[row.size()];
      for (int c = 0; c < row.size(); c++) {
        out[r][c] = row.get(c).getAsLong();
      }
    }
    return out;
  }
}
