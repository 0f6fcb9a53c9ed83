package ai.llep.models.hf;

import ai.djl.ndarray.types.DataType;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The weights' type a Hugging Face {@code config.json} declares: {@code dtype} (transformers 5),
 * {@code torch_dtype} (earlier versions; later ones still read it).
 */
public final class ConfigDtype {
  private static final String[] KEYS = {"dtype", "torch_dtype"};

  private ConfigDtype() {}

  /**
   * {@code configJson} declaring {@code type}: the text itself when it already does (every
   * declaring key names it), else the config with each declaring key set ({@code torch_dtype} added
   * when none is there), written as transformers writes configs.
   */
  public static String declare(String configJson, DataType type) {
    String name = name(type);
    JsonObject config = JsonParser.parseString(configJson).getAsJsonObject();
    boolean declared = false;
    boolean agrees = true;
    for (String key : KEYS) {
      if (config.has(key) && !config.get(key).isJsonNull()) {
        declared = true;
        agrees &= config.get(key).getAsString().equals(name);
      }
    }
    if (declared && agrees) {
      return configJson;
    }
    for (String key : KEYS) {
      if (config.has(key)) {
        config.addProperty(key, name);
      }
    }
    if (!declared) {
      config.addProperty("torch_dtype", name);
    }
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(config)
        + "\n";
  }

  /** transformers' name of {@code type}. */
  static String name(DataType type) {
    return switch (type) {
      case FLOAT32 -> "float32";
      case FLOAT16 -> "float16";
      case BFLOAT16 -> "bfloat16";
      case FLOAT64 -> "float64";
      default -> throw new IllegalArgumentException("no weights are stored as " + type);
    };
  }
}
