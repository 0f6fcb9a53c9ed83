package ai.llep.trainer.data;

/**
 * One training row of exactly {@code maxLength} tokens, Hugging Face style: {@code labels[t]} is
 * the token at {@code t} when the loss covers it, {@link #IGNORE} otherwise (the model shifts).
 */
public record PackedSequence(int[] inputIds, int[] labels) {
  public static final int IGNORE = -100;

  public PackedSequence {
    if (inputIds.length != labels.length) {
      throw new IllegalArgumentException(
          "inputIds and labels differ in length: " + inputIds.length + " vs " + labels.length);
    }
  }

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
