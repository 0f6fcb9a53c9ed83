package ai.llep.trainer.preview;

import ai.llep.models.tokenizer.TextTokenizer;
import java.util.Arrays;

/**
 * Token ids as text with the tokens the loss covers between {@link #START} and {@link #END}: each
 * run of tokens with the same loss flag is decoded on its own, so a mark falls exactly between two
 * tokens (a character split between a learned and an unlearned token shows as U+FFFD).
 */
final class MarkedText {
  static final String START = "⟦";
  static final String END = "⟧";

  private MarkedText() {}

  static String of(TextTokenizer tokenizer, int[] ids, boolean[] mask) {
    StringBuilder text = new StringBuilder();
    int start = 0;
    for (int t = 1; t <= ids.length; t++) {
      if (t == ids.length || mask[t] != mask[start]) {
        String run = tokenizer.decode(Arrays.copyOfRange(ids, start, t));
        text.append(mask[start] ? START + run + END : run);
        start = t;
      }
    }
    return text.toString();
  }
}
