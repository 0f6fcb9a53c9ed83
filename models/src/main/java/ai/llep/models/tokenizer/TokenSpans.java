package ai.llep.models.tokenizer;

/**
 * Token ids of a text with the characters each token covers, as Hugging Face tokenizers report
 * them: {@code [starts[i], ends[i])} in code points (Python string indices, not UTF-16 units), or
 * {@code -1, -1} for a token that covers no character. The arrays are handed over, not copied.
 */
public record TokenSpans(int[] ids, int[] starts, int[] ends) {
  public TokenSpans {
    if (ids.length != starts.length || ids.length != ends.length) {
      throw new IllegalArgumentException(
          ids.length + " ids but " + starts.length + " starts and " + ends.length + " ends");
    }
  }

  /**
   * The first token whose span holds code point {@code position}, or -1 (the {@code char_to_token}
   * of Hugging Face tokenizers).
   */
  public int tokenAt(int position) {
    for (int i = 0; i < ids.length; i++) {
      if (starts[i] <= position && position < ends[i]) {
        return i;
      }
    }
    return -1;
  }
}
