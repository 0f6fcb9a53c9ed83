package ai.llep.trainer.generate;

import ai.llep.models.template.TemplateValues;
import ai.llep.models.tokenizer.ChatInput;
import ai.llep.models.tokenizer.ChatMessage;
import ai.llep.trainer.config.ConfigError;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The prompts of a {@code generate} run: those of {@code generate.prompt} (each one user message),
 * then those of {@code generate.prompts-file}, a JSONL file of {@code {"prompt": "..."}} or {@code
 * {"messages": [{"role", "content", ...}, ...]}} per line (other keys, such as a completion, are
 * ignored). A bad line is an error naming the file and line.
 */
public final class Prompts {
  private Prompts() {}

  public static List<PromptInput> read(List<String> commandLine, Path file) {
    List<PromptInput> prompts = new ArrayList<>();
    for (int i = 0; i < commandLine.size(); i++) {
      String text = commandLine.get(i);
      prompts.add(
          new PromptInput(
              prompts.size(),
              ChatInput.prompt(List.of(ChatMessage.user(text))),
              new JsonPrimitive(text),
              "generate.prompt[" + i + "]"));
    }
    if (file != null) {
      readFile(file, prompts);
    }
    if (prompts.isEmpty()) {
      throw new ConfigError(
          "no prompts: give generate.prompt=... (repeatable) or generate.prompts-file=FILE"
              + (file == null ? "" : " (" + file + " has no prompt)"));
    }
    return prompts;
  }

  private static void readFile(Path file, List<PromptInput> prompts) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigError("generate.prompts-file: " + file + " does not exist");
    }
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (!line.isBlank()) {
          prompts.add(parse(line, prompts.size(), file + ":" + number));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
    }
  }

  static PromptInput parse(String line, int index, String where) {
    JsonElement element;
    try {
      element = JsonParser.parseString(line);
    } catch (JsonParseException e) {
      throw new ConfigError(where + ": not valid JSON (" + e.getMessage() + ")");
    }
    if (!element.isJsonObject()) {
      throw new ConfigError(where + ": expected a JSON object with \"prompt\" or \"messages\"");
    }
    JsonObject object = element.getAsJsonObject();
    if (object.has("prompt") && object.has("messages")) {
      throw new ConfigError(where + ": give \"prompt\" or \"messages\", not both");
    }
    if (object.has("messages")) {
      JsonElement messages = object.get("messages");
      return new PromptInput(index, conversation(messages, where), messages, where);
    }
    JsonElement prompt = object.get("prompt");
    if (prompt == null || !prompt.isJsonPrimitive() || !prompt.getAsJsonPrimitive().isString()) {
      throw new ConfigError(
          where + ": expected \"prompt\" (a string) or \"messages\", got keys " + object.keySet());
    }
    return new PromptInput(
        index, ChatInput.prompt(List.of(ChatMessage.user(prompt.getAsString()))), prompt, where);
  }

  @SuppressWarnings("unchecked")
  private static ChatInput conversation(JsonElement messages, String where) {
    if (!messages.isJsonArray() || messages.getAsJsonArray().isEmpty()) {
      throw new ConfigError(where + ": \"messages\" must be a non-empty array");
    }
    List<Map<String, Object>> turns = new ArrayList<>();
    for (int i = 0; i < messages.getAsJsonArray().size(); i++) {
      JsonElement message = messages.getAsJsonArray().get(i);
      if (!message.isJsonObject()
          || !(TemplateValues.fromJson(message) instanceof Map<?, ?> map)
          || !(map.get("role") instanceof String)) {
        throw new ConfigError(where + ": messages[" + i + "] must be an object with a \"role\"");
      }
      turns.add((Map<String, Object>) map);
    }
    return new ChatInput(turns, null, true, Map.of());
  }
}
