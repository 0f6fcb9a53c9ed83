package ai.llep.trainer.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads SFT examples from JSONL files: each non-blank line is {@code {"prompt", "completion"}} or
 * {@code {"messages": [{"role", "content"}, ...]}}. A malformed line (not UTF-8, not JSON, not such
 * an object) is an error naming file and line, or, with {@code skipBadLines}, is skipped and
 * counted.
 */
public final class JsonlReader {
  private static final Logger LOG = LogManager.getLogger(JsonlReader.class);

  private final boolean skipBadLines;
  private int skipped;

  public JsonlReader(boolean skipBadLines) {
    this.skipBadLines = skipBadLines;
  }

  /** Lines skipped so far (only with {@code skipBadLines}). */
  public int skipped() {
    return skipped;
  }

  public List<RawExample> read(List<Path> files) {
    List<RawExample> examples = new ArrayList<>();
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        throw new DataError("data file " + file + " does not exist");
      }
      try (Utf8Lines lines = new Utf8Lines(file)) {
        for (int number = 1; ; number++) {
          String where = file + ":" + number;
          try {
            String line = lines.next();
            if (line == null) {
              break;
            }
            if (!line.isBlank()) {
              examples.add(parse(line, where));
            }
          } catch (Utf8Lines.Malformed e) {
            skipOrThrow(new DataError(where + ": " + e.getMessage()));
          } catch (DataError e) {
            skipOrThrow(e);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
      }
    }
    return examples;
  }

  private void skipOrThrow(DataError e) {
    if (!skipBadLines) {
      throw e;
    }
    skipped++;
    LOG.warn("skipping {}", e.getMessage());
  }

  static RawExample parse(String line, String where) {
    JsonObject object;
    try {
      JsonElement element = JsonParser.parseString(line);
      if (!element.isJsonObject()) {
        throw new DataError(where + ": expected a JSON object, got " + kind(element));
      }
      object = element.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new DataError(where + ": not valid JSON (" + rootMessage(e) + ")");
    }
    if (object.has("messages")) {
      return conversation(object.get("messages"), where);
    }
    if (object.has("prompt") || object.has("completion")) {
      return new RawExample.PromptCompletion(
          string(object, "prompt", where), string(object, "completion", where), where);
    }
    throw new DataError(
        where
            + ": expected \"prompt\"/\"completion\" or \"messages\", got keys "
            + object.keySet());
  }

  private static RawExample conversation(JsonElement messages, String where) {
    if (!messages.isJsonArray() || messages.getAsJsonArray().isEmpty()) {
      throw new DataError(where + ": \"messages\" must be a non-empty array");
    }
    JsonArray array = messages.getAsJsonArray();
    List<RawExample.Turn> turns = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonElement message = array.get(i);
      String at = where + ": messages[" + i + "]";
      if (!message.isJsonObject()) {
        throw new DataError(at + " must be an object with \"role\" and \"content\"");
      }
      JsonObject m = message.getAsJsonObject();
      turns.add(new RawExample.Turn(string(m, "role", at), string(m, "content", at)));
    }
    return new RawExample.Conversation(turns, where);
  }

  private static String string(JsonObject object, String key, String where) {
    JsonElement value = object.get(key);
    if (value == null || value.isJsonNull()) {
      throw new DataError(where + ": missing \"" + key + "\"");
    }
    if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
      throw new DataError(where + ": \"" + key + "\" must be a string, got " + kind(value));
    }
    return value.getAsString();
  }

  private static String kind(JsonElement e) {
    if (e.isJsonArray()) {
      return "an array";
    }
    if (e.isJsonObject()) {
      return "an object";
    }
    if (e.isJsonNull()) {
      return "null";
    }
    if (e.getAsJsonPrimitive().isString()) {
      return "a string";
    }
    return e.getAsJsonPrimitive().isNumber() ? "a number" : "a boolean";
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
