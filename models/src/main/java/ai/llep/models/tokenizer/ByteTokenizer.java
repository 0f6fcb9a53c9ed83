package ai.llep.models.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * UTF-8 bytes as tokens: ids 0 to 255 are the byte values, followed by the special tokens {@code
 * <pad>} (256), {@code <bos>} (257), {@code <eos>} (258), {@code <|im_start|>} (259) and {@code
 * <|im_end|>} (260). Deterministic and needs no file: the tokenizer of the tiny built-in model.
 *
 * <p>Text is always encoded as bytes, so a special token's text inside user content stays plain
 * bytes and cannot inject a turn marker.
 */
public final class ByteTokenizer implements TextTokenizer {
  static final int PAD = 256;
  static final int BOS = 257;
  static final int EOS = 258;
  static final int IM_START = 259;
  static final int IM_END = 260;

  private static final List<String> SPECIALS =
      List.of("<pad>", "<bos>", "<eos>", "<|im_start|>", "<|im_end|>");

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xFF;
    }
    return ids;
  }

  /** Each byte token covers the character it is part of. */
  @Override
  public TokenSpans encodeWithSpans(String text) {
    int[] ids = encode(text);
    int[] starts = new int[ids.length];
    int[] ends = new int[ids.length];
    int token = 0;
    int position = 0;
    for (int i = 0; i < text.length(); position++) {
      int c = text.codePointAt(i);
      int bytes = Character.toString(c).getBytes(StandardCharsets.UTF_8).length;
      for (int b = 0; b < bytes; b++, token++) {
        starts[token] = position;
        ends[token] = position + 1;
      }
      i += Character.charCount(c);
    }
    return new TokenSpans(ids, starts, ends);
  }

  @Override
  public Map<String, String> namedSpecialTokens() {
    return Map.of("bos_token", "<bos>", "eos_token", "<eos>", "pad_token", "<pad>");
  }

  /** Malformed UTF-8 (say, a sequence cut in the middle of a character) decodes to U+FFFD. */
  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    StringBuilder text = new StringBuilder();
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    for (int id : ids) {
      if (id >= 0 && id < 256) {
        pending.write(id);
      } else if (id >= PAD && id < vocabSize()) {
        text.append(pending.toString(StandardCharsets.UTF_8));
        pending.reset();
        if (!skipSpecialTokens) {
          text.append(SPECIALS.get(id - PAD));
        }
      } else {
        throw new IllegalArgumentException(
            "token id " + id + " is outside the byte tokenizer's [0, " + vocabSize() + ")");
      }
    }
    return text.append(pending.toString(StandardCharsets.UTF_8)).toString();
  }

  @Override
  public int vocabSize() {
    return PAD + SPECIALS.size();
  }

  @Override
  public OptionalInt bosId() {
    return OptionalInt.of(BOS);
  }

  @Override
  public OptionalInt eosId() {
    return OptionalInt.of(EOS);
  }

  @Override
  public OptionalInt padId() {
    return OptionalInt.of(PAD);
  }

  @Override
  public OptionalInt specialTokenId(String token) {
    int index = SPECIALS.indexOf(token);
    return index < 0 ? OptionalInt.empty() : OptionalInt.of(PAD + index);
  }

  @Override
  public String toString() {
    return "ByteTokenizer";
  }
}
