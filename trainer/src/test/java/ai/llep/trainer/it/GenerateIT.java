package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * generate through the launcher, on what the default recipe leaves after a two-step run: its export
 * on two ranks (experts split, LLEP on), then its checkpoint folder on one rank, which must give
 * the same greedy tokens.
 */
class GenerateIT {
  private static final String RECIPE =
      Launch.projectRoot().resolve("recipes/tiny-moe-sft.conf").toString();
  private static final String[] PROMPTS = {
    "generate.prompt=Reverse the word: maple", "generate.prompt=Sort the letters: dcba"
  };

  /** The byte tokenizer's id of {@code <|im_start|>}. */
  private static final int IM_START = 259;

  @TempDir Path dir;

  @Test
  void theDefaultRecipesExportAndCheckpointComplete() throws IOException {
    Launch.Outcome trained =
        Launch.run(
            dir,
            2,
            Duration.ofMinutes(4),
            "train",
            RECIPE,
            "train.max-steps=2",
            "data.max-length=48",
            "data.batch-size=4");
    assertEquals(0, trained.exitCode(), trained.output());

    Launch.Outcome exported =
        generate(2, "outputs/tiny-moe-sft/step-2", "llep=cpu-test", "generate.output=export.jsonl");
    assertEquals(0, exported.exitCode(), exported.output());
    assertTrue(
        exported.output().contains("[rank 0] --- prompt 1 of 2 (")
            && exported.output().contains("): Reverse the word: maple"),
        exported.output());
    List<JsonObject> fromExport = lines(dir.resolve("export.jsonl"));
    assertEquals(2, fromExport.size());
    JsonObject first = fromExport.getFirst();
    assertEquals("Reverse the word: maple", first.get("prompt").getAsString());
    assertEquals(
        IM_START,
        first.getAsJsonArray("prompt_token_ids").get(0).getAsInt(),
        "the prompt opens with <|im_start|>: the exported ChatML template rendered it");
    assertTrue(first.getAsJsonArray("token_ids").size() >= 1, first.toString());

    Launch.Outcome fromCheckpoint =
        generate(1, "checkpoints/tiny-moe-sft", "generate.output=checkpoint.jsonl");
    assertEquals(0, fromCheckpoint.exitCode(), fromCheckpoint.output());
    assertTrue(
        fromCheckpoint.output().contains("checkpoints/tiny-moe-sft/step-00000002 of tiny-moe"),
        fromCheckpoint.output());
    List<JsonObject> fromSteps = lines(dir.resolve("checkpoint.jsonl"));
    for (int i = 0; i < 2; i++) {
      for (String key : List.of("prompt_token_ids", "token_ids", "completion", "stop_reason")) {
        assertEquals(fromExport.get(i).get(key), fromSteps.get(i).get(key), "prompt " + i + key);
      }
    }
  }

  /**
   * A LoRA run's merged export is a complete model folder, as the full export is: for tiny-moe it
   * carries the byte tokenizer's files and the ChatML template, so generate loads and renders it.
   */
  @Test
  void aLoraRunsMergedExportCompletes() throws IOException {
    Launch.Outcome trained =
        Launch.run(
            dir,
            1,
            Duration.ofMinutes(4),
            "train",
            RECIPE,
            "train.method=lora",
            "lora.merge-on-export=true",
            "train.max-steps=2",
            "data.max-length=48",
            "data.batch-size=4");
    assertEquals(0, trained.exitCode(), trained.output());
    Path merged = dir.resolve("outputs/tiny-moe-sft/step-2-merged");
    for (String file : List.of("tokenizer.json", "generation_config.json", "chat_template.jinja")) {
      assertTrue(Files.isRegularFile(merged.resolve(file)), file + " in " + merged);
    }

    Launch.Outcome generated =
        generate(1, "outputs/tiny-moe-sft/step-2-merged", "generate.output=merged.jsonl");
    assertEquals(0, generated.exitCode(), generated.output());
    JsonObject first = lines(dir.resolve("merged.jsonl")).getFirst();
    assertEquals(IM_START, first.getAsJsonArray("prompt_token_ids").get(0).getAsInt());
  }

  private Launch.Outcome generate(int ranks, String model, String... overrides) {
    String[] command = new String[2 + PROMPTS.length + overrides.length + 1];
    command[0] = "generate";
    command[1] = model;
    System.arraycopy(PROMPTS, 0, command, 2, PROMPTS.length);
    System.arraycopy(overrides, 0, command, 2 + PROMPTS.length, overrides.length);
    command[command.length - 1] = "generate.max-new-tokens=8";
    return Launch.run(dir, ranks, Duration.ofMinutes(3), command);
  }

  private static List<JsonObject> lines(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .filter(l -> !l.isBlank())
        .map(l -> JsonParser.parseString(l).getAsJsonObject())
        .toList();
  }
}
