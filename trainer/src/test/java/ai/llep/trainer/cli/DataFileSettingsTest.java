package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.data.DataFile;
import ai.llep.trainer.data.DataFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data.files entries: paths, or {path, weight, format}; data.format for the rest. */
class DataFileSettingsTest {
  @TempDir Path dir;

  private List<DataFile> bind(String... overrides) {
    return DataFileSettings.bind(
        new ConfigLoader().load(Optional.empty(), List.of(overrides)).config(), Optional.empty());
  }

  private String error(String... overrides) {
    return assertThrows(ConfigError.class, () -> bind(overrides)).getMessage();
  }

  @Test
  void pathsAndWeightedEntries() throws IOException {
    Path a = Files.writeString(dir.resolve("a.jsonl"), "{}\n");
    Path b = Files.writeString(dir.resolve("b.jsonl"), "{}\n");
    assertEquals(
        List.of(new DataFile(a, 2.5, DataFormat.ALPACA), new DataFile(b, 1.0, DataFormat.SHAREGPT)),
        bind(
            "data.files=[{path=\"" + a + "\", weight=2.5, format=alpaca}, \"" + b + "\"]",
            "data.format=sharegpt"));
    String files = "data.files=[{path=\"" + a + "\", ";
    assertEquals(
        "data.files[0]: unknown key 'wieght' (valid: path, weight, format)",
        error(files + "wieght=2}]"));
    assertEquals(
        "data.files[0].weight must be a positive number, got 0.0", error(files + "weight=0}]"));
    assertEquals(
        "data.files[0].format=csv is not one of: auto, tokenized, messages, sharegpt, alpaca,"
            + " prompt-completion, text",
        error(files + "format=csv}]"));
    assertEquals("data.files[0]: missing path", error("data.files=[{weight=2}]"));
    assertEquals(
        "data.format=jsonl is not one of: auto, tokenized, messages, sharegpt, alpaca,"
            + " prompt-completion, text",
        error("data.format=jsonl"));
    assertEquals(
        "data.files: " + dir.resolve("c.jsonl") + " does not exist",
        error("data.files=[\"" + dir.resolve("c.jsonl") + "\"]"));
  }
}
