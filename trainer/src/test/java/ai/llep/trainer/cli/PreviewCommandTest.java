package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preview command as a user runs it. On the committed template fixtures (tokenizer and template
 * files only, no config.json, no weights) it writes the very text, ids and masks transformers gave.
 */
class PreviewCommandTest {
  private static final Path TEMPLATES =
      Path.of("").toAbsolutePath().getParent().resolve("models/src/test/resources/chat-templates");

  @TempDir Path dir;

  @Test
  void previewWritesTransformersIdsAndMasksForRealTemplates() throws IOException {
    int checked = 0;
    for (String id :
        List.of(
            "qwen3",
            "qwen3-2507-instruct",
            "olmoe-instruct",
            "mixtral-instruct",
            "llama3.1-instruct",
            "deepseek-v3",
            "phi4-reasoning")) {
      Path folder = TEMPLATES.resolve(id);
      List<JsonObject> cases = new ArrayList<>();
      StringBuilder rows = new StringBuilder();
      for (JsonElement c :
          JsonParser.parseString(Files.readString(folder.resolve("cases.json")))
              .getAsJsonObject()
              .getAsJsonArray("cases")) {
        JsonObject testCase = c.getAsJsonObject();
        if (testCase.get("add_generation_prompt").getAsBoolean()
            || !testCase.getAsJsonObject("kwargs").isEmpty()
            || testCase.get("loss_mask").isJsonNull()) {
          continue;
        }
        JsonObject row = new JsonObject();
        row.add("messages", testCase.get("messages"));
        row.add("tools", testCase.get("tools"));
        rows.append(row).append('\n');
        cases.add(testCase);
      }
      Path data = Files.writeString(dir.resolve(id + ".jsonl"), rows);
      Path output = dir.resolve(id + "-preview.jsonl");
      Result result =
          run(
              "preview",
              "model.source=" + folder,
              "data.files=[\"" + data + "\"]",
              "preview.count=100",
              "preview.output=" + output,
              "data.max-length=100000",
              "data.truncation=error");
      assertEquals(0, result.exitCode(), result.error());
      List<String> lines = Files.readAllLines(output);
      assertEquals(cases.size(), lines.size(), id);
      for (int i = 0; i < cases.size(); i++) {
        JsonObject expected = cases.get(i);
        JsonObject line = JsonParser.parseString(lines.get(i)).getAsJsonObject();
        String what = id + "/" + expected.get("name").getAsString();
        assertEquals(data + ":" + (i + 1), line.get("source").getAsString(), what);
        assertEquals(expected.get("text"), line.get("text"), what);
        assertEquals(expected.get("input_ids"), line.get("input_ids"), what);
        assertEquals(expected.get("loss_mask"), line.get("loss_mask"), what);
        checked++;
      }
    }
    assertTrue(checked >= 35, "fixture cases checked: " + checked);
  }

  @Test
  void aConversationFromTheCommandLineShowsTheLearnedTokens() {
    Result result =
        run(
            "preview",
            "model.source=tiny-moe",
            "preview.conversation=[{role=user, content=Hi}, {role=assistant, content=Yo}]");
    assertEquals(0, result.exitCode(), result.error());
    assertEquals(
        "preview: template chatml; learned tokens are between ⟦ and ⟧\n"
            + "=== example 1: preview.conversation (messages): 25 tokens, 3 learned\n"
            + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n⟦Yo<|im_end|>⟧\n\n",
        result.output());
  }

  @Test
  void dataRowsAreCutAsTrainingCutsThemAndBadRowsNameTheirLine() throws IOException {
    Path data =
        Files.writeString(
            dir.resolve("d.jsonl"),
            "{\"text\": \"abcdefghij\"}\n{\"input_ids\": [104, 105], \"loss_mask\": [0, 1]}\n");
    Path output = dir.resolve("out.jsonl");
    Result result =
        run(
            "preview",
            "model.source=tiny-moe",
            "data.files=[\"" + data + "\"]",
            "data.max-length=6",
            "preview.output=" + output);
    assertEquals(0, result.exitCode(), result.error());
    assertTrue(
        result
            .output()
            .contains(
                "=== example 1: "
                    + data
                    + ":1 (text): 6 tokens, cut from 12 (data.max-length=6), 6 learned\n"
                    + "⟦<bos>abcde⟧\n"),
        result.output());
    assertTrue(result.output().contains(":2 (tokenized): 2 tokens, 1 learned\nh⟦i⟧\n"));
    List<String> lines = Files.readAllLines(output);
    JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
    assertEquals("<bos>abcdefghij<eos>", first.get("text").getAsString());
    assertEquals(JsonParser.parseString("[257,97,98,99,100,101]"), first.get("input_ids"));
    assertEquals(JsonParser.parseString("[1,1,1,1,1,1]"), first.get("loss_mask"));
    assertEquals(12, first.get("tokens_before_truncation").getAsInt());
    JsonArray mask =
        JsonParser.parseString(lines.get(1)).getAsJsonObject().getAsJsonArray("loss_mask");
    assertEquals(JsonParser.parseString("[0,1]"), mask);

    Files.writeString(data, "{\"text\": \"ok\"}\n{\"messages\": [{\"role\": \"user\"}]}\n");
    Result bad = run("preview", "model.source=tiny-moe", "data.files=[\"" + data + "\"]");
    assertEquals(1, bad.exitCode());
    assertEquals("error: " + data + ":2: messages[0]: missing \"content\"\n", bad.error());
  }

  record Result(int exitCode, String output, String error) {}

  private static Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Result(
          code,
          captured.toString(StandardCharsets.UTF_8),
          capturedErr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
