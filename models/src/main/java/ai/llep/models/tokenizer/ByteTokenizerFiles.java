package ai.llep.models.tokenizer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.List;

/**
 * The Hugging Face tokenizer files of {@link ByteTokenizer}, so that an exported tiny model loads
 * in transformers ({@code AutoTokenizer}) and through {@link HfTokenizer}: a byte-level BPE without
 * merges whose 256 tokens are the bytes (id = byte value, in the byte-to-character alphabet of
 * byte-level BPE), the special tokens at their ids, {@code tokenizer_config.json} naming BOS, EOS
 * and padding, and {@code generation_config.json} stopping at EOS and at ChatML's end of turn.
 *
 * <p>One difference remains: {@link ByteTokenizer} encodes the text of a special token inside user
 * content as plain bytes, while a {@code tokenizer.json} turns it into the special token (as it
 * does for every model).
 */
public final class ByteTokenizerFiles {
  /** The ids generation stops at: EOS and {@code <|im_end|>}, which ends a ChatML turn. */
  public static final List<Integer> EOS_IDS = List.of(ByteTokenizer.EOS, ByteTokenizer.IM_END);

  private static final List<String> SPECIALS =
      List.of("<pad>", "<bos>", "<eos>", "<|im_start|>", "<|im_end|>");

  private ByteTokenizerFiles() {}

  /** {@code tokenizer.json}. */
  public static String tokenizerJson() {
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("truncation", JsonNull.INSTANCE);
    root.add("padding", JsonNull.INSTANCE);
    JsonArray added = new JsonArray();
    for (int i = 0; i < SPECIALS.size(); i++) {
      JsonObject token = new JsonObject();
      token.addProperty("id", ByteTokenizer.PAD + i);
      token.addProperty("content", SPECIALS.get(i));
      token.addProperty("single_word", false);
      token.addProperty("lstrip", false);
      token.addProperty("rstrip", false);
      token.addProperty("normalized", false);
      token.addProperty("special", true);
      added.add(token);
    }
    root.add("added_tokens", added);
    root.add("normalizer", JsonNull.INSTANCE);
    root.add("pre_tokenizer", byteLevel(false));
    root.add("post_processor", JsonNull.INSTANCE);
    root.add("decoder", byteLevel(true));
    root.add("model", model());
    return pretty(root);
  }

  /** {@code tokenizer_config.json}: the fast tokenizer class and the named special tokens. */
  public static String tokenizerConfigJson() {
    JsonObject config = new JsonObject();
    config.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
    config.addProperty("bos_token", "<bos>");
    config.addProperty("eos_token", "<eos>");
    config.addProperty("pad_token", "<pad>");
    config.addProperty("clean_up_tokenization_spaces", false);
    config.addProperty("model_max_length", 1024);
    return pretty(config);
  }

  /** {@code generation_config.json}: BOS, padding, and {@link #EOS_IDS}. */
  public static String generationConfigJson() {
    JsonObject config = new JsonObject();
    config.addProperty("bos_token_id", ByteTokenizer.BOS);
    JsonArray eos = new JsonArray();
    EOS_IDS.forEach(eos::add);
    config.add("eos_token_id", eos);
    config.addProperty("pad_token_id", ByteTokenizer.PAD);
    return pretty(config);
  }

  private static JsonObject byteLevel(boolean decoder) {
    JsonObject step = new JsonObject();
    step.addProperty("type", "ByteLevel");
    step.addProperty("add_prefix_space", decoder);
    step.addProperty("trim_offsets", true);
    step.addProperty("use_regex", true);
    return step;
  }

  private static JsonObject model() {
    JsonObject model = new JsonObject();
    model.addProperty("type", "BPE");
    model.add("dropout", JsonNull.INSTANCE);
    model.add("unk_token", JsonNull.INSTANCE);
    model.add("continuing_subword_prefix", JsonNull.INSTANCE);
    model.add("end_of_word_suffix", JsonNull.INSTANCE);
    model.addProperty("fuse_unk", false);
    model.addProperty("byte_fallback", false);
    model.addProperty("ignore_merges", false);
    JsonObject vocab = new JsonObject();
    for (int b = 0; b < 256; b++) {
      vocab.addProperty(byteCharacter(b), b);
    }
    model.add("vocab", vocab);
    model.add("merges", new JsonArray());
    return model;
  }

  /**
   * Byte-level BPE's character for byte {@code b}: printable Latin-1 bytes stand for themselves,
   * the others map in order to U+0100 onwards.
   */
  static String byteCharacter(int b) {
    if (printable(b)) {
      return Character.toString(b);
    }
    int before = 0;
    for (int other = 0; other < b; other++) {
      if (!printable(other)) {
        before++;
      }
    }
    return Character.toString(256 + before);
  }

  private static boolean printable(int b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  }

  private static String pretty(JsonObject json) {
    return new GsonBuilder()
            .setPrettyPrinting()
            .serializeNulls()
            .disableHtmlEscaping()
            .create()
            .toJson(json)
        + "\n";
  }
}
