package ai.llep.models.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json}, run by DJL's bundled native tokenizers library (it ships
 * inside the DJL jar and needs no network). Special tokens come from {@code tokenizer_config.json}
 * or {@code special_tokens_map.json} beside it, when present.
 *
 * <p>DJL's defaults would truncate to 512 tokens, pad and add special tokens; all three are off
 * here. Like the Python library, encoding still turns the text of an added special token (say
 * {@code <|im_end|>} inside user content) into that token.
 */
public final class HfTokenizer implements TextTokenizer, AutoCloseable {
  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

  private final Path file;
  private final HuggingFaceTokenizer tokenizer;
  private final TokenizerFiles files;

  private HfTokenizer(Path file, HuggingFaceTokenizer tokenizer, TokenizerFiles files) {
    this.file = file;
    this.tokenizer = tokenizer;
    this.files = files;
  }

  /** Loads {@code path}: a {@code tokenizer.json} file, or a folder that holds one. */
  public static HfTokenizer open(Path path) throws IOException {
    Path file = Files.isDirectory(path) ? path.resolve(TokenizerFiles.TOKENIZER) : path;
    if (!Files.isRegularFile(file)) {
      throw new IOException("no tokenizer file " + file);
    }
    TokenizerFiles files = TokenizerFiles.read(file);
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer = HuggingFaceTokenizer.newInstance(file, OPTIONS);
    } catch (RuntimeException e) {
      throw new IOException("DJL's tokenizers could not load " + file + ": " + e.getMessage(), e);
    }
    for (String key : files.specials().keySet()) {
      String text = files.specials().get(key);
      if (!files.ids().containsKey(text)) {
        tokenizer.close();
        throw new IOException(
            file + ": " + key + " '" + text + "' is not a token of this tokenizer");
      }
    }
    return new HfTokenizer(file, tokenizer, files);
  }

  @Override
  public int[] encode(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] wide = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= files.size()) {
        throw new IllegalArgumentException(
            "token id " + ids[i] + " is outside [0, " + files.size() + ") of " + file);
      }
      wide[i] = ids[i];
    }
    return tokenizer.decode(wide, skipSpecialTokens);
  }

  @Override
  public int vocabSize() {
    return files.size();
  }

  @Override
  public OptionalInt bosId() {
    return special("bos_token");
  }

  @Override
  public OptionalInt eosId() {
    return special("eos_token");
  }

  @Override
  public OptionalInt padId() {
    return special("pad_token");
  }

  @Override
  public OptionalInt specialTokenId(String token) {
    Integer id = files.ids().get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  private OptionalInt special(String key) {
    String text = files.specials().get(key);
    return text == null ? OptionalInt.empty() : specialTokenId(text);
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  @Override
  public String toString() {
    return "HfTokenizer[" + file + "]";
  }
}
