package ai.llep.plan;

/** {@code rows} consecutive received rows that all belong to expert {@code expert}. */
public record Segment(int expert, long rows) {
  public Segment {
    if (expert < 0 || rows < 1) {
      throw new IllegalArgumentException(
          "segment needs expert >= 0 and rows >= 1, got " + expert + ", " + rows);
    }
  }
}
