package ai.llep.models.tokenizer;

import ai.llep.models.template.Span;
import java.util.List;

/**
 * Character spans of rendered text to a token loss mask, by transformers' own rule for its
 * assistant mask: each span marks the tokens from the one holding its first character through the
 * one holding its last. The rule's corners are kept as they are, so that masks equal transformers'
 * token for token: a span whose first character no token holds ends the marking, and a span whose
 * last character lies in token 0 (or in none) marks through the end of the text.
 */
final class TokenMask {
  private TokenMask() {}

  /** {@code spans} are in UTF-16 units of {@code text}; token spans are in code points. */
  static boolean[] of(TokenSpans tokens, String text, List<Span> spans) {
    int n = tokens.ids().length;
    boolean[] mask = new boolean[n];
    for (Span span : spans) {
      int first = tokens.tokenAt(text.codePointCount(0, span.start()));
      int last = tokens.tokenAt(text.codePointCount(0, span.end()) - 1);
      if (first < 0) {
        break;
      }
      int end = last > 0 ? last + 1 : n;
      for (int t = first; t < end; t++) {
        mask[t] = true;
      }
    }
    return mask;
  }
}
