package ai.llep.models.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What DJL's tokenizer does not expose, read from the JSON files themselves: the vocabulary of
 * {@code tokenizer.json} (model vocab and added tokens) and the special tokens named in {@code
 * tokenizer_config.json} or {@code special_tokens_map.json}.
 *
 * @param ids token text to id: added tokens and the model's vocabulary
 * @param size one past the largest id
 * @param specials the named special tokens ({@code bos_token}, ...) to their text, where set
 */
record TokenizerFiles(Map<String, Integer> ids, int size, Map<String, String> specials) {
  static final String TOKENIZER = "tokenizer.json";
  static final String CONFIG = "tokenizer_config.json";
  static final String SPECIALS_MAP = "special_tokens_map.json";

  /** The named special tokens transformers passes to chat templates. */
  static final List<String> NAMED_SPECIALS =
      List.of(
          "bos_token",
          "eos_token",
          "unk_token",
          "sep_token",
          "pad_token",
          "cls_token",
          "mask_token");

  /** The special tokens whose ids the framework uses; they must be tokens of the vocabulary. */
  static final List<String> ID_SPECIALS = List.of("bos_token", "eos_token", "pad_token");

  static TokenizerFiles read(Path tokenizerJson) throws IOException {
    Map<String, Integer> ids;
    try {
      ids = vocabulary(tokenizerJson);
    } catch (RuntimeException e) {
      throw new IOException(
          tokenizerJson + " is not a valid tokenizer file: malformed vocabulary (" + e + ")", e);
    }
    int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    Map<String, String> specials = new HashMap<>();
    Path dir = tokenizerJson.toAbsolutePath().getParent();
    for (String file : new String[] {CONFIG, SPECIALS_MAP}) {
      Path path = dir.resolve(file);
      if (Files.isRegularFile(path)) {
        JsonObject config = object(path);
        for (String key : NAMED_SPECIALS) {
          specialText(config.get(key)).ifPresent(text -> specials.putIfAbsent(key, text));
        }
      }
    }
    return new TokenizerFiles(Map.copyOf(ids), size, Map.copyOf(specials));
  }

  /** The model's vocabulary and the added tokens, text to id. */
  private static Map<String, Integer> vocabulary(Path tokenizerJson) throws IOException {
    JsonObject root = object(tokenizerJson);
    Map<String, Integer> ids = new HashMap<>();
    JsonElement model = root.get("model");
    if (model == null || !model.isJsonObject()) {
      throw new IOException(tokenizerJson + " has no object 'model'");
    }
    JsonElement vocab = model.getAsJsonObject().get("vocab");
    if (vocab != null && vocab.isJsonObject()) {
      vocab.getAsJsonObject().entrySet().forEach(e -> ids.put(e.getKey(), e.getValue().getAsInt()));
    } else if (vocab != null && vocab.isJsonArray()) {
      JsonArray pieces = vocab.getAsJsonArray();
      for (int i = 0; i < pieces.size(); i++) {
        ids.put(pieces.get(i).getAsJsonArray().get(0).getAsString(), i);
      }
    } else {
      throw new IOException(tokenizerJson + " has no model vocabulary");
    }
    JsonElement added = root.get("added_tokens");
    if (added != null && added.isJsonArray()) {
      for (JsonElement token : added.getAsJsonArray()) {
        JsonObject fields = token.getAsJsonObject();
        ids.put(fields.get("content").getAsString(), fields.get("id").getAsInt());
      }
    }
    return ids;
  }

  /** A special token entry is either its text or an object whose {@code content} is the text. */
  private static Optional<String> specialText(JsonElement entry) {
    if (entry == null || entry.isJsonNull()) {
      return Optional.empty();
    }
    if (entry.isJsonObject() && entry.getAsJsonObject().has("content")) {
      return Optional.of(entry.getAsJsonObject().get("content").getAsString());
    }
    return entry.isJsonPrimitive() ? Optional.of(entry.getAsString()) : Optional.empty();
  }

  private static JsonObject object(Path path) throws IOException {
    try (Reader reader = Files.newBufferedReader(path)) {
      JsonElement root = JsonParser.parseReader(reader);
      if (!root.isJsonObject()) {
        throw new JsonParseException("not a JSON object");
      }
      return root.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
      throw new IOException(path + " is not a valid tokenizer file: " + e.getMessage(), e);
    }
  }
}
