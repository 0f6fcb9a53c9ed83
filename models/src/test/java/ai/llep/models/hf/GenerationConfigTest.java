package ai.llep.models.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ids that end generation, read as transformers reads them. */
class GenerationConfigTest {
  @TempDir Path dir;

  @Test
  void generationConfigWinsOverConfig() throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 2}");
    assertEquals(List.of(2), GenerationConfig.eosIds(dir));
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [7, 3]}");
    assertEquals(List.of(7, 3), GenerationConfig.eosIds(dir));
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": null}");
    assertEquals(List.of(), GenerationConfig.eosIds(dir));
    Files.writeString(dir.resolve("generation_config.json"), "{\"use_cache\": true}");
    assertEquals(List.of(2), GenerationConfig.eosIds(dir), "no eos key: config.json's");
  }

  @Test
  void noIdsWhereNothingSetsThem() throws IOException {
    assertEquals(List.of(), GenerationConfig.eosIds(dir));
    Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": null}");
    assertEquals(List.of(), GenerationConfig.eosIds(dir));
  }

  @Test
  void aBadIdNamesTheFile() throws IOException {
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"</s>\"}");
    IOException e = assertThrows(IOException.class, () -> GenerationConfig.eosIds(dir));
    assertEquals(
        dir.resolve("generation_config.json")
            + ": eos_token_id must be an id or a list of ids, got \"</s>\"",
        e.getMessage());
  }
}
