package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.models.tokenizer.TemplateOptions;
import ai.llep.trainer.data.TemplateSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Without a template of its own, a folder falls back to its family's built-in, found through the
 * family registry by {@code model_type} (as training finds it), and a family without one (gpt-oss)
 * is an error that says what to do.
 */
class ChatFormatTest {
  private static final TemplateSetting AUTO = new TemplateSetting("auto", TemplateOptions.NONE);

  @ParameterizedTest(name = "{0}")
  @CsvSource({"mixtral, mixtral", "qwen3_moe, chatml", "olmoe, chatml", "not_a_family, chatml"})
  void aFolderWithoutTemplateTakesItsFamilysBuiltin(
      String modelType, String builtin, @TempDir Path dir) throws Exception {
    Path folder = folder(dir, modelType);
    ChatFormat format = ChatFormat.open(new ModelSpec(folder.toString(), 0), AUTO);
    try {
      assertEquals(builtin, format.template().name());
    } finally {
      if (format.tokenizer() instanceof AutoCloseable tokenizer) {
        tokenizer.close();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"gpt_oss"})
  void aFamilyWithoutBuiltinNeedsTheModelsOwnTemplate(String modelType, @TempDir Path dir)
      throws Exception {
    Path folder = folder(dir, modelType);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ChatFormat.open(new ModelSpec(folder.toString(), 0), AUTO));
    assertTrue(
        e.getMessage()
            .contains(
                "has no chat template and its family has no built-in one: add the model's"
                    + " chat_template.jinja or choose a built-in with data.template ="),
        e.getMessage());
  }

  /** A folder with the parity fixture's byte-level tokenizer and a config naming {@code type}. */
  private static Path folder(Path dir, String type) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("model"));
    Path tokenizer =
        ParityFixture.root().resolve("parity/gpt-oss/model/tokenizer.json").toAbsolutePath();
    Files.copy(tokenizer, folder.resolve("tokenizer.json"));
    Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"" + type + "\"}");
    return folder;
  }
}
