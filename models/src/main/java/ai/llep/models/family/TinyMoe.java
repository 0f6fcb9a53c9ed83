package ai.llep.models.family;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The built-in model used when no checkpoint is given: a Mixtral-style MoE small enough for CPU
 * tests and demos (4 layers, hidden 128, 4 heads over 2 key/value heads, 8 experts of width 256,
 * top-2, tied embeddings). Its vocabulary is the byte tokenizer's: ids 0-255 are bytes, 256 is
 * padding, 257 beginning-of-sequence, 258 end-of-sequence, 259 and 260 the ChatML turn markers
 * ({@code ai.llep.models.tokenizer.ByteTokenizer}). The weights come from a seed ({@code
 * MoeTransformer.initRandom}); the config is a Hugging Face {@code config.json}, so an exported
 * tiny model loads like any other checkpoint.
 */
public final class TinyMoe {
  /** The model name configs use to ask for this model. */
  public static final String NAME = "tiny-moe";

  public static final int PAD = 256;
  public static final int BOS = 257;
  public static final int EOS = 258;

  private static final String RESOURCE = "tiny-moe.json";

  private TinyMoe() {}

  /** The {@code config.json} text. */
  public static String configJson() {
    try (InputStream in = TinyMoe.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ModelConfig config() {
    return HfConfigParser.parse(configJson());
  }

  /** The {@code config.json} text with another number of experts (e.g. 6 for 3 or 6 ranks). */
  public static String configJson(int experts) {
    if (experts < 2) {
      throw new IllegalArgumentException(
          "tiny-moe needs at least 2 experts for top-2, got " + experts);
    }
    JsonObject json = JsonParser.parseString(configJson()).getAsJsonObject();
    json.addProperty("num_local_experts", experts);
    return new GsonBuilder().setPrettyPrinting().create().toJson(json);
  }
}
