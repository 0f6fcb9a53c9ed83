package ai.llep.models.tokenizer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-made Hugging Face tokenizer files, small enough to check every id by hand. */
final class TinyTokenizers {
  private TinyTokenizers() {}

  /**
   * A GPT-2 style byte-level BPE (as Qwen and OLMoE use): ids 0 to 255 are the bytes, then the
   * merges {@code he} 256, {@code ll} 257, {@code hell} 258, {@code hello} 259, {@code Ġw} 260
   * (space + w), and the special tokens {@code <|endoftext|>} 261, {@code <|im_start|>} 262, {@code
   * <|im_end|>} 263. Its tokenizer_config.json names EOS as text and PAD as an object.
   */
  static Path byteLevelBpe(Path dir) throws IOException {
    Files.createDirectories(dir);
    JsonObject vocab = new JsonObject();
    for (int b = 0; b < 256; b++) {
      vocab.addProperty(byteChar(b), b);
    }
    String[][] merges = {{"h", "e"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"}, {"Ġ", "w"}};
    JsonArray mergeList = new JsonArray();
    for (int i = 0; i < merges.length; i++) {
      vocab.addProperty(merges[i][0] + merges[i][1], 256 + i);
      mergeList.add(merges[i][0] + " " + merges[i][1]);
    }
    JsonObject model = new JsonObject();
    model.addProperty("type", "BPE");
    model.add("vocab", vocab);
    model.add("merges", mergeList);
    JsonObject preTokenizer = new JsonObject();
    preTokenizer.addProperty("type", "ByteLevel");
    preTokenizer.addProperty("add_prefix_space", false);
    preTokenizer.addProperty("trim_offsets", true);
    preTokenizer.addProperty("use_regex", true);
    JsonObject root = root(model, preTokenizer, preTokenizer);
    root.add("added_tokens", added(261, "<|endoftext|>", 262, "<|im_start|>", 263, "<|im_end|>"));
    write(dir.resolve("tokenizer.json"), root);
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        """
        {"bos_token": null, "eos_token": "<|im_end|>",
         "pad_token": {"content": "<|endoftext|>", "special": true}}
        """);
    return dir;
  }

  /**
   * A SentencePiece style Unigram with a word marker (as Mixtral uses): {@code <unk>} 0, {@code
   * <s>} 1, {@code </s>} 2, {@code ▁[INST]} 3, {@code ▁[/INST]} 4, {@code ▁hi} 5, {@code ▁yo} 6,
   * {@code ▁} 7; BOS and EOS come from special_tokens_map.json.
   */
  static Path unigram(Path dir) throws IOException {
    Files.createDirectories(dir);
    String[] pieces = {"<unk>", "<s>", "</s>", "▁[INST]", "▁[/INST]", "▁hi", "▁yo", "▁"};
    JsonArray vocab = new JsonArray();
    for (String piece : pieces) {
      JsonArray entry = new JsonArray();
      entry.add(piece);
      entry.add(piece.startsWith("<") ? 0.0 : -1.0);
      vocab.add(entry);
    }
    JsonObject model = new JsonObject();
    model.addProperty("type", "Unigram");
    model.addProperty("unk_id", 0);
    model.add("vocab", vocab);
    model.addProperty("byte_fallback", false);
    JsonObject metaspace = new JsonObject();
    metaspace.addProperty("type", "Metaspace");
    metaspace.addProperty("replacement", "▁");
    metaspace.addProperty("prepend_scheme", "always");
    metaspace.addProperty("split", true);
    JsonObject root = root(model, metaspace, metaspace);
    root.add("added_tokens", added(0, "<unk>", 1, "<s>", 2, "</s>"));
    write(dir.resolve("tokenizer.json"), root);
    Files.writeString(
        dir.resolve("special_tokens_map.json"),
        "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\", \"unk_token\": \"<unk>\"}");
    return dir;
  }

  private static JsonObject root(JsonObject model, JsonObject preTokenizer, JsonObject decoder) {
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("truncation", null);
    root.add("padding", null);
    root.add("normalizer", null);
    root.add("pre_tokenizer", preTokenizer);
    root.add("post_processor", null);
    root.add("decoder", decoder);
    root.add("model", model);
    return root;
  }

  private static JsonArray added(Object... idAndContent) {
    JsonArray tokens = new JsonArray();
    for (int i = 0; i < idAndContent.length; i += 2) {
      JsonObject token = new JsonObject();
      token.addProperty("id", (Integer) idAndContent[i]);
      token.addProperty("content", (String) idAndContent[i + 1]);
      token.addProperty("single_word", false);
      token.addProperty("lstrip", false);
      token.addProperty("rstrip", false);
      token.addProperty("normalized", false);
      token.addProperty("special", true);
      tokens.add(token);
    }
    return tokens;
  }

  /**
   * GPT-2's printable stand-in for a byte: printable Latin-1 bytes stand for themselves, the others
   * (controls, space, DEL, NBSP, soft hyphen) map in order to U+0100 onwards.
   */
  static String byteChar(int b) {
    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)) {
      return String.valueOf((char) b);
    }
    int n = 0;
    for (int other = 0; other < b; other++) {
      if (!((other >= 33 && other <= 126)
          || (other >= 161 && other <= 172)
          || (other >= 174 && other <= 255))) {
        n++;
      }
    }
    return String.valueOf((char) (256 + n));
  }

  private static void write(Path file, JsonObject root) throws IOException {
    Files.writeString(file, new GsonBuilder().serializeNulls().create().toJson(root));
  }
}
