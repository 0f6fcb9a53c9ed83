package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.EncodedChat;
import ai.llep.models.tokenizer.HfTokenizer;
import ai.llep.models.tokenizer.ModelChatTemplates;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rows of every conversational format, through a real template (Qwen3's, from the committed
 * template fixtures), give exactly the token ids and loss mask transformers gave for the same
 * conversation; tool calls, tool schemas and reasoning content reach the template from the row.
 */
class FixtureFormatsTest {
  private static final Path QWEN3 =
      Path.of("")
          .toAbsolutePath()
          .getParent()
          .resolve("models/src/test/resources/chat-templates/qwen3");

  private static HfTokenizer tokenizer;
  private static ChatTemplate template;
  private static JsonArray cases;

  @BeforeAll
  static void open() throws IOException {
    tokenizer = HfTokenizer.open(QWEN3);
    template = ModelChatTemplates.choose("auto", QWEN3, "chatml", false, Clock.systemUTC());
    cases =
        JsonParser.parseString(Files.readString(QWEN3.resolve("cases.json")))
            .getAsJsonObject()
            .getAsJsonArray("cases");
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static JsonObject fixture(String name) {
    for (JsonElement c : cases) {
      if (c.getAsJsonObject().get("name").getAsString().equals(name)) {
        return c.getAsJsonObject();
      }
    }
    throw new AssertionError("no fixture case " + name);
  }

  private static void assertFixture(String name, String row) {
    JsonObject expected = fixture(name);
    EncodedChat actual =
        TrainingRows.encode(
            RowParser.parse(row, "rows.jsonl:1", DataFormat.AUTO), template, tokenizer);
    assertEquals(expected.get("text").getAsString(), actual.text(), row);
    JsonArray ids = expected.getAsJsonArray("input_ids");
    JsonArray mask = expected.getAsJsonArray("loss_mask");
    int[] expectedIds = new int[ids.size()];
    boolean[] expectedMask = new boolean[mask.size()];
    for (int i = 0; i < expectedIds.length; i++) {
      expectedIds[i] = ids.get(i).getAsInt();
      expectedMask[i] = mask.get(i).getAsInt() == 1;
    }
    assertArrayEquals(expectedIds, actual.inputIds(), row);
    assertArrayEquals(expectedMask, actual.lossMask(), row);
  }

  private static String messagesRow(String name) {
    JsonObject c = fixture(name);
    JsonObject row = new JsonObject();
    row.add("messages", c.get("messages"));
    if (!c.get("tools").isJsonNull()) {
      row.add("tools", c.get("tools"));
    }
    return row.toString();
  }

  @Test
  void everyConversationalFormatGivesTransformersIdsAndMask() {
    String q = "What is 2+2?";
    String a = "2+2 is 4.";
    assertFixture("single-turn", "{\"instruction\": \"" + q + "\", \"output\": \"" + a + "\"}");
    assertFixture("single-turn", "{\"prompt\": \"" + q + "\", \"completion\": \"" + a + "\"}");
    assertFixture(
        "single-turn",
        "{\"conversations\": [{\"from\": \"human\", \"value\": \""
            + q
            + "\"}, {\"from\": \"gpt\", \"value\": \""
            + a
            + "\"}]}");
    assertFixture(
        "single-turn",
        "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\":"
            + " \"What is \"}, {\"type\": \"text\", \"text\": \"2+2?\"}]},"
            + " {\"role\": \"assistant\", \"content\": \""
            + a
            + "\"}]}");
    assertFixture(
        "system-multi-turn",
        "{\"system\": \"You are terse.\", \"history\": [[\"Hi there\", \"Hello! How can I"
            + " help?\"]], \"instruction\": \"Name a color.\", \"output\": \"Blue.\"}");
    assertFixture(
        "system-multi-turn",
        "{\"system\": \"You are terse.\", \"conversations\": [{\"from\": \"human\", \"value\":"
            + " \"Hi there\"}, {\"from\": \"gpt\", \"value\": \"Hello! How can I help?\"},"
            + " {\"from\": \"human\", \"value\": \"Name a color.\"}, {\"from\": \"gpt\","
            + " \"value\": \"Blue.\"}]}");
    for (String name :
        new String[] {
          "tool-call", "parallel-tool-calls", "reasoning-last-turn", "reasoning-history"
        }) {
      assertFixture(name, messagesRow(name));
    }
  }
}
