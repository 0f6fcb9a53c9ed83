package ai.llep.models.tokenizer;

/**
 * A rendered and tokenized conversation: the text, its token ids, and for each id whether the loss
 * counts it. What training, and a preview of training, see. The arrays are handed over, not copied.
 */
public record EncodedChat(String text, int[] inputIds, boolean[] lossMask) {
  public EncodedChat {
    if (inputIds.length != lossMask.length) {
      throw new IllegalArgumentException(
          inputIds.length + " input ids but " + lossMask.length + " loss mask entries");
    }
  }

  public TokenizedExample example() {
    return new TokenizedExample(inputIds, lossMask);
  }
}
