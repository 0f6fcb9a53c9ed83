package ai.llep.models.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chat templates in a Hugging Face model folder, found where transformers looks: {@code
 * chat_template.jinja} (the default) and {@code additional_chat_templates/*.jinja} (named by file)
 * when present; otherwise the {@code chat_template} of {@code tokenizer_config.json}, a string (the
 * default) or a list of {@code {"name", "template"}}. Choosing among several follows transformers
 * too: a name given wins; else a single template; else {@code tool_use} when tools are given and it
 * exists; else {@code default}.
 */
public final class ModelChatTemplates {
  static final String JINJA_FILE = "chat_template.jinja";
  static final String ADDITIONAL_DIR = "additional_chat_templates";
  static final String DEFAULT = "default";

  private ModelChatTemplates() {}

  /** The templates of {@code folder} by name; empty when it has none. */
  public static Map<String, String> read(Path folder) throws IOException {
    Map<String, String> templates = new TreeMap<>();
    Path jinja = folder.resolve(JINJA_FILE);
    if (Files.isRegularFile(jinja)) {
      templates.put(DEFAULT, Files.readString(jinja));
    }
    Path additional = folder.resolve(ADDITIONAL_DIR);
    if (Files.isDirectory(additional)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(additional, "*.jinja")) {
        for (Path file : files) {
          String name = file.getFileName().toString();
          templates.put(
              name.substring(0, name.length() - ".jinja".length()), Files.readString(file));
        }
      }
    }
    if (templates.isEmpty()) {
      fromConfig(folder.resolve(TokenizerFiles.CONFIG), templates);
    }
    return templates;
  }

  private static void fromConfig(Path config, Map<String, String> templates) throws IOException {
    if (!Files.isRegularFile(config)) {
      return;
    }
    JsonElement entry;
    try (Reader reader = Files.newBufferedReader(config)) {
      JsonElement root = JsonParser.parseReader(reader);
      entry = root.isJsonObject() ? root.getAsJsonObject().get("chat_template") : null;
    } catch (JsonParseException e) {
      throw new IOException(config + " is not valid JSON: " + e.getMessage(), e);
    }
    if (entry == null || entry.isJsonNull()) {
      return;
    }
    if (entry.isJsonPrimitive() && entry.getAsJsonPrimitive().isString()) {
      templates.put(DEFAULT, entry.getAsString());
      return;
    }
    if (!entry.isJsonArray()) {
      throw new IOException(
          config + ": chat_template is neither a string nor a list of named templates");
    }
    for (JsonElement item : entry.getAsJsonArray()) {
      JsonObject named = item.isJsonObject() ? item.getAsJsonObject() : null;
      if (named == null || !named.has("name") || !named.has("template")) {
        throw new IOException(config + ": each chat_template entry needs a name and a template");
      }
      templates.put(named.get("name").getAsString(), named.get("template").getAsString());
    }
  }

  /**
   * The name of the template to use: {@code name} if given, else transformers' choice; an error
   * lists the names when none fits.
   */
  public static String select(Map<String, String> templates, String name, boolean withTools) {
    if (name != null) {
      if (!templates.containsKey(name)) {
        throw new IllegalArgumentException(
            "the model has no chat template named '" + name + "'; it has " + templates.keySet());
      }
      return name;
    }
    if (templates.size() == 1) {
      return templates.keySet().iterator().next();
    }
    if (withTools && templates.containsKey("tool_use")) {
      return "tool_use";
    }
    if (templates.containsKey(DEFAULT)) {
      return DEFAULT;
    }
    throw new IllegalArgumentException(
        "the model has several chat templates and none is named default; choose one of "
            + templates.keySet()
            + " with data.template = model:<name>");
  }

  /**
   * The template a run uses: {@code setting} is {@code auto} (the model's own when its folder has
   * one, else {@code builtin}), {@code model} or {@code model:<name>} (the model's own, required),
   * or a built-in's name ({@code chatml}, {@code mixtral}, {@code plain}).
   *
   * @param folder the model folder, or null for a model without one
   * @param builtin the family's built-in stand-in, or null when it has none (then {@code auto}
   *     needs the model's own template)
   */
  public static ChatTemplate choose(
      String setting, Path folder, String builtin, boolean withTools, Clock clock)
      throws IOException {
    boolean model = setting.equals("model") || setting.startsWith("model:");
    if (!setting.equals("auto") && !model) {
      return ChatTemplate.named(setting);
    }
    Map<String, String> templates = folder == null ? Map.of() : read(folder);
    if (templates.isEmpty()) {
      if (model) {
        throw new IllegalArgumentException(
            "data.template = "
                + setting
                + " but "
                + (folder == null ? "this model has no folder" : folder + " has no chat template")
                + " (chat_template.jinja or chat_template in tokenizer_config.json)");
      }
      if (builtin == null) {
        throw new IllegalArgumentException(
            "data.template = auto but "
                + (folder == null ? "this model has no folder" : folder + " has no chat template")
                + " and its family has no built-in one: add the model's chat_template.jinja or"
                + " choose a built-in with data.template = chatml | mixtral | plain");
      }
      return ChatTemplate.named(builtin);
    }
    String wanted = setting.startsWith("model:") ? setting.substring("model:".length()) : null;
    String name = select(templates, wanted, withTools);
    String label = name.equals(DEFAULT) ? "model" : "model:" + name;
    return JinjaChatTemplate.parse(label, templates.get(name), clock);
  }
}
