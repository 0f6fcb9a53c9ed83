package ai.llep.models.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Template snippets rendered by transformers' own Jinja environment (jinja-snippets.json, made by
 * scripts/fixtures/make-template-fixtures.py): the interpreter writes the same text and the same
 * generation spans, fails where Jinja fails, and refuses the constructs it does not implement.
 */
class JinjaSnippetsTest {
  @TestFactory
  Stream<DynamicTest> snippetsRenderAsInTransformers() throws IOException, URISyntaxException {
    Path file = Path.of(getClass().getResource("/jinja-snippets.json").toURI());
    JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    LocalDateTime now = LocalDateTime.parse(root.get("clock").getAsString());
    Clock clock = Clock.fixed(now.toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    List<DynamicTest> tests = new ArrayList<>();
    int index = 0;
    for (JsonElement element : root.getAsJsonArray("snippets")) {
      JsonObject snippet = element.getAsJsonObject();
      String name = index++ + ": " + abbreviate(snippet.get("template").getAsString());
      tests.add(DynamicTest.dynamicTest(name, () -> check(snippet, clock)));
    }
    assertTrue(tests.size() > 100);
    return tests.stream();
  }

  @SuppressWarnings("unchecked")
  private static void check(JsonObject snippet, Clock clock) {
    String source = snippet.get("template").getAsString();
    Map<String, Object> variables =
        (Map<String, Object>) TemplateValues.fromJson(snippet.get("vars"));
    if (snippet.has("unsupported")) {
      UnsupportedConstructException e =
          assertThrows(
              UnsupportedConstructException.class,
              () -> JinjaTemplate.parse(source).render(variables, clock));
      assertEquals(snippet.get("unsupported").getAsString(), e.construct());
      return;
    }
    if (snippet.has("error")) {
      assertThrows(
          TemplateException.class,
          () -> JinjaTemplate.parse(source).render(variables, clock),
          "transformers fails with " + snippet.get("error").getAsString());
      return;
    }
    Rendered rendered = JinjaTemplate.parse(source).render(variables, clock);
    String text = rendered.text();
    assertEquals(snippet.get("output").getAsString(), text);
    List<List<Integer>> spans = new ArrayList<>();
    for (Span span : rendered.generation()) {
      spans.add(List.of(text.codePointCount(0, span.start()), text.codePointCount(0, span.end())));
    }
    List<List<Integer>> expected = new ArrayList<>();
    for (JsonElement span : snippet.getAsJsonArray("generation")) {
      expected.add(
          List.of(
              span.getAsJsonArray().get(0).getAsInt(), span.getAsJsonArray().get(1).getAsInt()));
    }
    assertEquals(expected, spans);
  }

  private static String abbreviate(String template) {
    String flat = template.replace("\n", "\\n");
    return flat.length() > 70 ? flat.substring(0, 70) + "..." : flat;
  }
}
