package ai.llep.models.tokenizer;

import java.util.Arrays;

/**
 * A training example: token ids and, for each, whether the loss counts it. The mask is true exactly
 * on what the model must learn to produce (completions, assistant content and the end marker of
 * their turns). The arrays are handed over, not copied: do not change them afterwards.
 */
public record TokenizedExample(int[] inputIds, boolean[] lossMask) {
  public TokenizedExample {
    if (inputIds.length != lossMask.length) {
      throw new IllegalArgumentException(
          inputIds.length + " input ids but " + lossMask.length + " loss mask entries");
    }
  }

  public int length() {
    return inputIds.length;
  }

  /** How many tokens the loss counts. */
  public int learnedTokens() {
    int count = 0;
    for (boolean learned : lossMask) {
      count += learned ? 1 : 0;
    }
    return count;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TokenizedExample that
        && Arrays.equals(inputIds, that.inputIds)
        && Arrays.equals(lossMask, that.lossMask);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(inputIds) + Arrays.hashCode(lossMask);
  }

  @Override
  public String toString() {
    return "TokenizedExample[inputIds="
        + Arrays.toString(inputIds)
        + ", lossMask="
        + Arrays.toString(lossMask)
        + "]";
  }
}
