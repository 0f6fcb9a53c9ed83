package ai.llep.models.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
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
    for (String key : TokenizerFiles.ID_SPECIALS) {
      String text = files.specials().get(key);
      if (text == null) {
        continue;
      }
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

  /** Offsets as DJL reports them: code points, like Python's (checked against transformers). */
  @Override
  public TokenSpans encodeWithSpans(String text) {
    Encoding encoding = tokenizer.encode(text, false, false);
    long[] wide = encoding.getIds();
    CharSpan[] spans = encoding.getCharTokenSpans();
    int[] ids = new int[wide.length];
    int[] starts = new int[wide.length];
    int[] ends = new int[wide.length];
    for (int i = 0; i < wide.length; i++) {
      ids[i] = Math.toIntExact(wide[i]);
      starts[i] = spans[i] == null ? -1 : spans[i].getStart();
      ends[i] = spans[i] == null ? -1 : spans[i].getEnd();
    }
    return new TokenSpans(ids, starts, ends);
  }

  @Override
  public Map<String, String> namedSpecialTokens() {
    return files.specials();
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
