package ai.llep.plan;

/**
 * Rank {@code rank} computes positions [start, end) of one expert's global slot order (rank 0's
 * slots of the expert in local order, then rank 1's, and so on).
 */
public record Assignment(int rank, long start, long end) {
  public Assignment {
    if (rank < 0) {
      throw new IllegalArgumentException("assignment rank must be >= 0, got " + rank);
    }
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException(
          "assignment range must satisfy 0 <= start < end, got [" + start + ", " + end + ")");
    }
  }

  public long length() {
    return end - start;
  }
}
