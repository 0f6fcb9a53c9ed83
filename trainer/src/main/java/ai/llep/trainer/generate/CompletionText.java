package ai.llep.trainer.generate;

import ai.llep.models.tokenizer.TextTokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * The text of a completion: its tokens decoded (special tokens kept) without the EOS token that
 * ended it, cut before the first stop string.
 */
final class CompletionText {
  private CompletionText() {}

  static String of(Completion completion, TextTokenizer tokenizer, List<String> stop) {
    int[] ids = completion.tokenIds();
    if (completion.reason() == StopReason.EOS && ids.length > 0) {
      ids = Arrays.copyOf(ids, ids.length - 1);
    }
    String text = tokenizer.decode(ids);
    int cut = firstStop(text, stop);
    return cut < 0 ? text : text.substring(0, cut);
  }

  /** Where the earliest of {@code stop} starts in {@code text}, or -1. */
  static int firstStop(String text, List<String> stop) {
    int first = -1;
    for (String s : stop) {
      int at = text.indexOf(s);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }
}
