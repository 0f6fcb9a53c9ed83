package ai.llep.models.hf;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Hugging Face model folder says about generation that the framework uses: the token ids
 * that end it, as transformers reads them: {@code eos_token_id} of {@code generation_config.json}
 * (one id or a list), else of {@code config.json}; none where neither sets one.
 */
public final class GenerationConfig {
  static final String FILE = "generation_config.json";

  private GenerationConfig() {}

  /** The end-of-sequence ids of {@code folder}, in the order the file lists them. */
  public static List<Integer> eosIds(Path folder) throws IOException {
    Path generation = folder.resolve(FILE);
    if (Files.isRegularFile(generation)) {
      JsonObject config = object(generation);
      if (config.has("eos_token_id")) {
        return ids(config.get("eos_token_id"), generation);
      }
    }
    Path model = folder.resolve(HfCheckpoint.CONFIG);
    if (!Files.isRegularFile(model)) {
      return List.of();
    }
    JsonObject config = object(model);
    return config.has("eos_token_id") ? ids(config.get("eos_token_id"), model) : List.of();
  }

  private static List<Integer> ids(JsonElement value, Path file) throws IOException {
    List<Integer> out = new ArrayList<>();
    if (value.isJsonNull()) {
      return out;
    }
    if (value.isJsonArray()) {
      for (JsonElement id : value.getAsJsonArray()) {
        out.add(id(id, file));
      }
      return out;
    }
    out.add(id(value, file));
    return out;
  }

  private static int id(JsonElement value, Path file) throws IOException {
    if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      throw new IOException(file + ": eos_token_id must be an id or a list of ids, got " + value);
    }
    int id = value.getAsInt();
    if (id < 0 || id != value.getAsDouble()) {
      throw new IOException(file + ": eos_token_id " + value + " is not a token id");
    }
    return id;
  }

  private static JsonObject object(Path file) throws IOException {
    try {
      JsonElement root = JsonParser.parseString(Files.readString(file));
      if (!root.isJsonObject()) {
        throw new IOException(file + " is not a JSON object");
      }
      return root.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
    }
  }
}
