package ai.llep.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.models.template.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where templates are found in a model folder and which one a run uses. */
class ModelChatTemplatesTest {
  @TempDir Path dir;

  @Test
  void jinjaFilesWinOverTheConfigAndNameTheAdditionalOnes() throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"config\"}");
    assertEquals(Map.of("default", "config"), ModelChatTemplates.read(dir));
    Files.writeString(dir.resolve("chat_template.jinja"), "file");
    Files.createDirectories(dir.resolve("additional_chat_templates"));
    Files.writeString(dir.resolve("additional_chat_templates/tool_use.jinja"), "tools");
    assertEquals(Map.of("default", "file", "tool_use", "tools"), ModelChatTemplates.read(dir));
  }

  @Test
  void aListOfNamedTemplatesInTheConfig() throws IOException {
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"chat_template\": [{\"name\": \"default\", \"template\": \"a\"},"
            + " {\"name\": \"tool_use\", \"template\": \"b\"}]}");
    Map<String, String> templates = ModelChatTemplates.read(dir);
    assertEquals(Map.of("default", "a", "tool_use", "b"), templates);
    assertEquals("default", ModelChatTemplates.select(templates, null, false));
    assertEquals("tool_use", ModelChatTemplates.select(templates, null, true));
    assertEquals("default", ModelChatTemplates.select(templates, "default", true));
    assertEquals(
        "the model has no chat template named 'rag'; it has [default, tool_use]",
        assertThrows(
                IllegalArgumentException.class,
                () -> ModelChatTemplates.select(templates, "rag", false))
            .getMessage());
  }

  @Test
  void autoUsesTheModelsTemplateWhenThereIsOneAndTheBuiltInOtherwise() throws IOException {
    Clock clock = Clock.systemUTC();
    assertEquals("chatml", ModelChatTemplates.choose("auto", dir, "chatml", false, clock).name());
    assertEquals("chatml", ModelChatTemplates.choose("auto", null, "chatml", false, clock).name());
    assertEquals(
        "mixtral", ModelChatTemplates.choose("mixtral", dir, "chatml", false, clock).name());
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelChatTemplates.choose("model", dir, "chatml", false, clock));
    assertTrue(none.getMessage().contains("has no chat template"), none.getMessage());
    Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0]['content'] }}");
    ChatTemplate own = ModelChatTemplates.choose("auto", dir, "chatml", false, clock);
    assertInstanceOf(JinjaChatTemplate.class, own);
    assertEquals("model", own.name());
  }

  @Test
  void anUnsupportedConstructFailsWhenTheTemplateIsLoadedNamingItAndItsLine() throws IOException {
    Files.writeString(
        dir.resolve("chat_template.jinja"),
        "{% for m in messages %}\n{{ m|groupby('role') }}\n{% endfor %}");
    TemplateException e =
        assertThrows(
            TemplateException.class,
            () -> ModelChatTemplates.choose("auto", dir, "chatml", false, Clock.systemUTC()));
    assertEquals(
        "chat template 'model': line 2: filter 'groupby' is not supported by this chat template"
            + " interpreter",
        e.getMessage());
  }
}
