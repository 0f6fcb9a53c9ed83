package ai.llep.trainer.train;

import ai.llep.models.family.ModelFamily;
import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.HfTokenizer;
import ai.llep.models.tokenizer.ModelChatTemplates;
import ai.llep.models.tokenizer.TemplateOptions;
import ai.llep.models.tokenizer.TextTokenizer;
import ai.llep.trainer.data.TemplateSetting;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * A model's tokenizer and the chat template a run renders its data with, read from the model's
 * folder without its weights (what {@code preview} needs); training takes the same template.
 */
public record ChatFormat(TextTokenizer tokenizer, ChatTemplate template) {
  /** The tiny model's byte tokenizer, or the folder's {@code tokenizer.json} and templates. */
  public static ChatFormat open(ModelSpec spec, TemplateSetting setting) {
    if (spec.isTiny()) {
      return new ChatFormat(new ByteTokenizer(), template(setting, null, "chatml"));
    }
    Path folder = spec.folder();
    try {
      return new ChatFormat(HfTokenizer.open(folder), template(setting, folder, builtin(folder)));
    } catch (IOException e) {
      throw new UncheckedIOException("model.source=" + folder + ": " + e.getMessage(), e);
    }
  }

  /**
   * The run's chat template: {@code setting} over the folder's templates, or the {@code builtin}
   * ({@code chatml}, {@code mixtral}; null for a family without one) where there is none; null
   * folder: the tiny model.
   */
  static ChatTemplate template(TemplateSetting setting, Path folder, String builtin) {
    TemplateOptions options = setting.options();
    try {
      return ModelChatTemplates.choose(
              setting.name(),
              folder,
              builtin,
              !options.tools().isEmpty(),
              Clock.systemDefaultZone())
          .withOptions(options);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "reading the chat template of " + folder + ": " + e.getMessage(), e);
    }
  }

  /**
   * The built-in template of the family {@code config.json}'s {@code model_type} names (null for a
   * family without one); chatml when the folder has no config or names no known family.
   */
  private static String builtin(Path folder) throws IOException {
    Path config = folder.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      return "chatml";
    }
    try {
      JsonElement root = JsonParser.parseString(Files.readString(config));
      JsonElement type = root.isJsonObject() ? root.getAsJsonObject().get("model_type") : null;
      if (type == null || !type.isJsonPrimitive()) {
        return "chatml";
      }
      Optional<ModelFamily> family = ModelFamily.find(type.getAsString());
      return family.isPresent() ? family.get().definition().builtinTemplate() : "chatml";
    } catch (JsonParseException e) {
      throw new IOException(config + " is not valid JSON: " + e.getMessage(), e);
    }
  }
}
