package ai.llep.models.family;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelConfig}: the {@code model_type} picks
 * the family ({@link ModelFamily}), whose {@link Family#read} reads the rest with the field names
 * and defaults of transformers' config class. Features a family does not implement (sliding-window
 * attention outside gpt-oss, scaled or partial RoPE, activations other than SiLU) are refused by
 * name rather than silently ignored; router auxiliary-loss settings are ignored.
 */
public final class HfConfigParser {
  private HfConfigParser() {}

  /** Parses {@code config.json} at {@code file}; errors name the file. */
  public static ModelConfig read(Path file) throws IOException {
    String json = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file.getFileName() + ": " + e.getMessage(), e);
    }
  }

  /** Parses the text of a {@code config.json}. */
  public static ModelConfig parse(String json) {
    JsonElement root;
    try {
      root = JsonParser.parseString(json);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("config.json is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isJsonObject()) {
      throw new IllegalArgumentException("config.json must hold a JSON object, got " + root);
    }
    ConfigFields f = new ConfigFields(root.getAsJsonObject(), "");
    if (!f.has("model_type")) {
      throw new IllegalArgumentException(
          "config.json has no model_type; supported: " + ModelFamily.supported());
    }
    ModelFamily family = ModelFamily.ofModelType(f.string("model_type", ""));
    checkSupported(f);
    return family.definition().read(f);
  }

  private static void checkSupported(ConfigFields f) {
    String activation = f.string("hidden_act", "silu");
    if (!activation.equals("silu")) {
      throw new IllegalArgumentException(
          "hidden_act '" + activation + "' is not supported; the SwiGLU MLPs here use silu");
    }
    double partial = f.number("partial_rotary_factor", 1.0);
    if (partial != 1.0) {
      throw new IllegalArgumentException(
          "partial_rotary_factor " + partial + " is not supported; only 1.0 is");
    }
  }
}
