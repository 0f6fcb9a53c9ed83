package ai.llep.trainer.data;

import java.util.Arrays;

/**
 * One training row of exactly {@code maxLength} tokens, Hugging Face style: {@code labels[t]} is
 * the token at {@code t} when the loss covers it, {@link #IGNORE} otherwise (the model shifts). The
 * row is a run of segments ({@code segmentLengths}, summing to the row's length): examples packed
 * back to back, a cut example's tail, trailing padding. The model attends and predicts only within
 * a segment. The first {@code length} tokens are data; the rest is padding.
 */
public record PackedSequence(int[] inputIds, int[] labels, int[] segmentLengths, int length) {
  public static final int IGNORE = -100;

  public PackedSequence {
    if (inputIds.length != labels.length) {
      throw new IllegalArgumentException(
          "inputIds and labels differ in length: " + inputIds.length + " vs " + labels.length);
    }
    if (Arrays.stream(segmentLengths).anyMatch(n -> n <= 0)
        || Arrays.stream(segmentLengths).sum() != inputIds.length) {
      throw new IllegalArgumentException(
          "segment lengths "
              + Arrays.toString(segmentLengths)
              + " must be >= 1 and sum to the row's "
              + inputIds.length
              + " tokens");
    }
    if (length < 0 || length > inputIds.length) {
      throw new IllegalArgumentException(
          "length must be in [0, " + inputIds.length + "], got " + length);
    }
  }

  /** A row that is one segment, {@code length} tokens of data then padding. */
  public PackedSequence(int[] inputIds, int[] labels, int length) {
    this(inputIds, labels, new int[] {inputIds.length}, length);
  }

  /** A row that is one segment without padding. */
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
