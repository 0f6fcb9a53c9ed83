package ai.llep.trainer.data;

/**
 * One training row of exactly {@code maxLength} tokens, Hugging Face style: {@code labels[t]} is
 * the token at {@code t} when the loss covers it, {@link #IGNORE} otherwise (the model shifts). The
 * first {@code length} tokens are data; the rest is padding.
 */
public record PackedSequence(int[] inputIds, int[] labels, int length) {
  public static final int IGNORE = -100;

  public PackedSequence {
    if (inputIds.length != labels.length) {
      throw new IllegalArgumentException(
          "inputIds and labels differ in length: " + inputIds.length + " vs " + labels.length);
    }
    if (length < 0 || length > inputIds.length) {
      throw new IllegalArgumentException(
          "length must be in [0, " + inputIds.length + "], got " + length);
    }
  }

  /** A row without padding. */
  public PackedSequence(int[] inputIds, int[] labels) {
    this(inputIds, labels, inputIds.length);
  }

  /** Tokens the loss covers. */
  public int trainedTokens() {
    int n = 0;
    for (int label : labels) {
      if (label != IGNORE) {
        n++;
      }
    }
    return n;
  }
}
