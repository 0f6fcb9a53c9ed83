package ai.llep.models.tokenizer;

import java.util.Map;
import java.util.OptionalInt;

/** Text to token ids and back, with the ids of the special tokens that templates need. */
public interface TextTokenizer {
  /** The ids of {@code text}, without any special token added around it. */
  int[] encode(String text);

  /** As {@link #encode}, with the characters each token covers (for loss masks from text). */
  TokenSpans encodeWithSpans(String text);

  /**
   * The named special tokens as text ({@code bos_token}, {@code eos_token}, {@code pad_token},
   * {@code unk_token}, ...), as transformers hands them to chat templates; unset ones are absent.
   */
  Map<String, String> namedSpecialTokens();

  /** The text of {@code ids}; special tokens are dropped when {@code skipSpecialTokens}. */
  String decode(int[] ids, boolean skipSpecialTokens);

  /** The text of {@code ids}, special tokens included. */
  default String decode(int[] ids) {
    return decode(ids, false);
  }

  /** One past the largest token id (model embeddings may be larger). */
  int vocabSize();

  OptionalInt bosId();

  OptionalInt eosId();

  OptionalInt padId();

  /** The id of a special (or added) token given as text, such as {@code <|im_end|>}. */
  OptionalInt specialTokenId(String token);
}
