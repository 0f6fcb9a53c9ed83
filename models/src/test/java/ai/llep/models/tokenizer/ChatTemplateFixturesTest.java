package ai.llep.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.models.template.TemplateValues;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Real models' chat templates against transformers: every conversation of every fixture renders to
 * the same text, the same token ids and the same loss mask as transformers produced for it (see
 * scripts/fixtures/make-template-fixtures.py), through the template loading and encoding path that
 * training uses.
 */
class ChatTemplateFixturesTest {
  /** One tokenizer per fixture folder, opened on first use (loading one costs a few hundred ms). */
  private static final Map<Path, HfTokenizer> TOKENIZERS = new java.util.HashMap<>();

  @AfterAll
  static void closeTokenizers() {
    TOKENIZERS.values().forEach(HfTokenizer::close);
  }

  private static HfTokenizer tokenizer(Path folder) throws IOException {
    HfTokenizer open = TOKENIZERS.get(folder);
    if (open == null) {
      open = HfTokenizer.open(folder);
      TOKENIZERS.put(folder, open);
    }
    return open;
  }

  @TestFactory
  Stream<DynamicTest> everyFixtureMatchesTransformers() throws IOException, URISyntaxException {
    Path root = Path.of(getClass().getResource("/chat-templates").toURI());
    JsonObject manifest = json(root.resolve("manifest.json")).getAsJsonObject();
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement entry : manifest.getAsJsonArray("templates")) {
      String id = entry.getAsJsonObject().get("id").getAsString();
      Path folder = root.resolve(id);
      JsonObject fixture = json(folder.resolve("cases.json")).getAsJsonObject();
      Clock clock = clock(fixture.get("clock").getAsString());
      for (JsonElement c : fixture.getAsJsonArray("cases")) {
        JsonObject testCase = c.getAsJsonObject();
        String name = id + "/" + testCase.get("name").getAsString();
        tests.add(DynamicTest.dynamicTest(name, () -> check(folder, clock, testCase)));
      }
    }
    assertTrue(tests.size() >= 80, "expected the whole fixture set, found " + tests.size());
    return tests.stream();
  }

  private static void check(Path folder, Clock clock, JsonObject testCase) throws IOException {
    ChatInput input = input(testCase);
    ChatTemplate template =
        ModelChatTemplates.choose("auto", folder, "chatml", input.tools() != null, clock);
    assertTrue(template instanceof JinjaChatTemplate, "the fixture folder's own template is used");
    String text = testCase.get("text").getAsString();
    int[] ids = ints(testCase.getAsJsonArray("input_ids"));
    HfTokenizer tokenizer = tokenizer(folder);
    {
      assertEquals(text, ((JinjaChatTemplate) template).render(input, tokenizer));
      JsonElement mask = testCase.get("loss_mask");
      if (mask.isJsonNull()) {
        assertArrayEquals(ids, tokenizer.encode(text));
        IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, () -> template.encode(input, tokenizer));
        assertTrue(refused.getMessage().contains("by rendering prefixes"), refused.getMessage());
        return;
      }
      EncodedChat encoded = template.encode(input, tokenizer);
      assertEquals(text, encoded.text());
      assertArrayEquals(ids, encoded.inputIds());
      assertArrayEquals(booleans(mask.getAsJsonArray()), encoded.lossMask());
    }
  }

  @SuppressWarnings("unchecked")
  static ChatInput input(JsonObject testCase) {
    List<Map<String, Object>> messages =
        (List<Map<String, Object>>) TemplateValues.fromJson(testCase.get("messages"));
    List<Object> tools = (List<Object>) TemplateValues.fromJson(testCase.get("tools"));
    Map<String, Object> options =
        (Map<String, Object>) TemplateValues.fromJson(testCase.get("kwargs"));
    return new ChatInput(
        messages, tools, testCase.get("add_generation_prompt").getAsBoolean(), options);
  }

  static Clock clock(String localTime) {
    return Clock.fixed(LocalDateTime.parse(localTime).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
  }

  static JsonElement json(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file));
  }

  private static int[] ints(JsonArray array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).getAsInt();
    }
    return out;
  }

  private static boolean[] booleans(JsonArray array) {
    boolean[] out = new boolean[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).getAsInt() != 0;
    }
    return out;
  }
}
