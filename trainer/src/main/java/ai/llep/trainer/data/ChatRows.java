package ai.llep.trainer.data;

import ai.llep.models.template.TemplateValues;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows that become conversations for the chat template: OpenAI-style {@code messages}, ShareGPT,
 * Alpaca and prompt/completion. A message keeps every field the row gives ({@code tool_calls},
 * {@code tool_call_id}, {@code name}, {@code reasoning_content}, ...), so the template renders what
 * it reads; content given as parts becomes one string (the text parts joined; other parts are
 * refused, the models here read text).
 */
final class ChatRows {
  private ChatRows() {}

  static RawExample.Chat messages(JsonObject row, String where) {
    return new RawExample.Chat(
        messageList(row.get("messages"), "messages", where),
        tools(row, where),
        where,
        DataFormat.MESSAGES);
  }

  /** TRL's shape: strings (one user turn, one assistant turn) or two lists of messages. */
  static RawExample.Chat promptCompletion(JsonObject row, String where) {
    JsonElement prompt = row.get("prompt");
    JsonElement completion = row.get("completion");
    List<Map<String, Object>> messages = new ArrayList<>();
    if (prompt != null && prompt.isJsonArray()) {
      messages.addAll(messageList(prompt, "prompt", where));
      messages.addAll(messageList(completion, "completion", where));
    } else {
      messages.add(message("user", promptText(row, "prompt", where)));
      messages.add(message("assistant", promptText(row, "completion", where)));
    }
    return new RawExample.Chat(messages, tools(row, where), where, DataFormat.PROMPT_COMPLETION);
  }

  /**
   * The instruction and the input (when not empty) joined by a newline as the user's turn, the
   * output as the assistant's; {@code system} and {@code history} ([[user, assistant], ...]) first.
   */
  static RawExample.Chat alpaca(JsonObject row, String where) {
    List<Map<String, Object>> messages = new ArrayList<>();
    String system = JsonFields.optionalString(row, "system", where);
    if (system != null && !system.isEmpty()) {
      messages.add(message("system", system));
    }
    JsonElement history = row.get("history");
    if (history != null && !history.isJsonNull()) {
      if (!history.isJsonArray()) {
        throw new DataError(where + ": \"history\" must be an array of [user, assistant] pairs");
      }
      for (int i = 0; i < history.getAsJsonArray().size(); i++) {
        JsonElement pair = history.getAsJsonArray().get(i);
        String at = where + ": history[" + i + "]";
        if (!pair.isJsonArray() || pair.getAsJsonArray().size() != 2) {
          throw new DataError(at + " must be a [user, assistant] pair of strings");
        }
        messages.add(message("user", JsonFields.string(pair.getAsJsonArray().get(0), at + "[0]")));
        messages.add(
            message("assistant", JsonFields.string(pair.getAsJsonArray().get(1), at + "[1]")));
      }
    }
    String instruction = JsonFields.string(row, "instruction", where);
    String input = JsonFields.optionalString(row, "input", where);
    messages.add(
        message(
            "user", input == null || input.isEmpty() ? instruction : instruction + "\n" + input));
    messages.add(message("assistant", JsonFields.string(row, "output", where)));
    return new RawExample.Chat(messages, null, where, DataFormat.ALPACA);
  }

  /** {@code conversations} of {@code {"from", "value"}}; a top-level {@code system} goes first. */
  static RawExample.Chat sharegpt(JsonObject row, String where) {
    JsonElement turns = row.get("conversations");
    if (turns == null || !turns.isJsonArray() || turns.getAsJsonArray().isEmpty()) {
      throw new DataError(where + ": \"conversations\" must be a non-empty array");
    }
    List<Map<String, Object>> messages = new ArrayList<>();
    String system = JsonFields.optionalString(row, "system", where);
    if (system != null && !system.isEmpty()) {
      messages.add(message("system", system));
    }
    JsonArray array = turns.getAsJsonArray();
    for (int i = 0; i < array.size(); i++) {
      String at = where + ": conversations[" + i + "]";
      if (!array.get(i).isJsonObject()) {
        throw new DataError(at + " must be an object with \"from\" and \"value\"");
      }
      JsonObject turn = array.get(i).getAsJsonObject();
      String from = JsonFields.string(turn, "from", at);
      messages.add(message(shareGptRole(from, at), JsonFields.string(turn, "value", at)));
    }
    return new RawExample.Chat(messages, tools(row, where), where, DataFormat.SHAREGPT);
  }

  private static String shareGptRole(String from, String at) {
    return switch (from) {
      case "human", "user" -> "user";
      case "gpt", "assistant", "model" -> "assistant";
      case "system" -> "system";
      case "tool", "observation" -> "tool";
      default ->
          throw new DataError(
              at
                  + ": \"from\" is '"
                  + from
                  + "'; expected human or user, gpt, assistant or model, system, tool or"
                  + " observation (tool calls need the messages format's tool_calls)");
    };
  }

  private static String promptText(JsonObject row, String key, String where) {
    JsonElement value = row.get(key);
    if (value == null || value.isJsonNull()) {
      throw new DataError(where + ": missing \"" + key + "\"");
    }
    if (!JsonFields.isString(value)) {
      throw new DataError(
          where
              + ": \""
              + key
              + "\" must be a string or a list of messages (and so must the other of prompt and"
              + " completion), got "
              + JsonFields.kind(value));
    }
    return value.getAsString();
  }

  private static List<Map<String, Object>> messageList(
      JsonElement value, String key, String where) {
    if (value == null || !value.isJsonArray() || value.getAsJsonArray().isEmpty()) {
      throw new DataError(where + ": \"" + key + "\" must be a non-empty array of messages");
    }
    JsonArray array = value.getAsJsonArray();
    List<Map<String, Object>> messages = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      messages.add(message(array.get(i), where + ": " + key + "[" + i + "]"));
    }
    return messages;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> message(JsonElement value, String at) {
    if (!value.isJsonObject()) {
      throw new DataError(at + " must be an object with \"role\" and \"content\"");
    }
    JsonObject m = value.getAsJsonObject();
    JsonFields.string(m, "role", at);
    Map<String, Object> out = (Map<String, Object>) TemplateValues.fromJson(m);
    JsonElement content = m.get("content");
    if (content == null || content.isJsonNull()) {
      if (!m.has("tool_calls")) {
        throw new DataError(at + ": missing \"content\"");
      }
    } else if (content.isJsonArray()) {
      out.put("content", textParts(content.getAsJsonArray(), at + ".content"));
    } else if (!JsonFields.isString(content)) {
      throw new DataError(
          at
              + ": \"content\" must be a string or a list of content parts, got "
              + JsonFields.kind(content));
    }
    JsonElement calls = m.get("tool_calls");
    if (calls != null && !calls.isJsonNull() && !calls.isJsonArray()) {
      throw new DataError(at + ": \"tool_calls\" must be an array, got " + JsonFields.kind(calls));
    }
    return out;
  }

  private static String textParts(JsonArray parts, String at) {
    StringBuilder text = new StringBuilder();
    for (int j = 0; j < parts.size(); j++) {
      String part = at + "[" + j + "]";
      if (!parts.get(j).isJsonObject()) {
        throw new DataError(part + " must be an object {\"type\": \"text\", \"text\": ...}");
      }
      JsonObject p = parts.get(j).getAsJsonObject();
      String type = JsonFields.string(p, "type", part);
      if (!type.equals("text")) {
        throw new DataError(
            part + ": content parts of type '" + type + "' are not supported (only \"text\")");
      }
      text.append(JsonFields.string(p, "text", part));
    }
    return text.toString();
  }

  /** The row's tool schemas: a list of objects, or a string holding one (as ShareGPT data has). */
  @SuppressWarnings("unchecked")
  private static List<Object> tools(JsonObject row, String where) {
    JsonElement value = row.get("tools");
    if (value == null || value.isJsonNull()) {
      return null;
    }
    if (JsonFields.isString(value)) {
      try {
        value = JsonParser.parseString(value.getAsString());
      } catch (JsonParseException e) {
        throw new DataError(where + ": \"tools\" is a string but not JSON: " + e.getMessage());
      }
    }
    if (!value.isJsonArray()) {
      throw new DataError(where + ": \"tools\" must be an array of tool schemas");
    }
    for (int i = 0; i < value.getAsJsonArray().size(); i++) {
      if (!value.getAsJsonArray().get(i).isJsonObject()) {
        throw new DataError(where + ": tools[" + i + "] must be an object (a tool's schema)");
      }
    }
    return (List<Object>) TemplateValues.fromJson(value);
  }

  private static Map<String, Object> message(String role, String content) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    return m;
  }
}
