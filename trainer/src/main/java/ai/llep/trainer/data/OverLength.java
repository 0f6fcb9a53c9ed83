package ai.llep.trainer.data;

import java.util.Locale;

/**
 * The examples longer than {@code data.max-length} in a data set, and what was done with them.
 *
 * @param examples examples read
 * @param count examples longer than {@code maxLength} tokens
 * @param longest tokens of the longest example (of all, not only the long ones)
 */
public record OverLength(
    int examples, int count, int longest, int maxLength, Truncation truncation) {
  /** One line for the start of a run, or empty when no example is too long. */
  public String describe() {
    if (count == 0) {
      return "";
    }
    String action = truncation == Truncation.DROP ? "dropped" : "truncated";
    return String.format(
        Locale.ROOT,
        "data: %d of %d examples (%.1f%%) are longer than data.max-length=%d tokens (the longest"
            + " has %d): %s (data.truncation=%s)",
        count,
        examples,
        100.0 * count / Math.max(examples, 1),
        maxLength,
        longest,
        action,
        truncation.name().toLowerCase(Locale.ROOT));
  }
}
