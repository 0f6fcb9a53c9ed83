package ai.llep.models.template;

/**
 * A range {@code [start, end)} of rendered text in UTF-16 units.
 *
 * @param start first character
 * @param end one past the last character
 */
public record Span(int start, int end) {
  public Span {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
    }
  }
}
