package ai.llep.plan;

/**
 * Where expert weights live: N experts over P ranks, M = N / P contiguous experts per rank, so
 * expert e is native to rank e / M.
 */
public record ExpertPlacement(int experts, int ranks) {
  public ExpertPlacement {
    if (ranks < 1) {
      throw new IllegalArgumentException("ranks must be >= 1, got " + ranks);
    }
    if (experts < 1) {
      throw new IllegalArgumentException("experts must be >= 1, got " + experts);
    }
    if (experts % ranks != 0) {
      throw new IllegalArgumentException(
          "experts (" + experts + ") must be divisible by ranks (" + ranks + ")");
    }
  }

  /** M, the number of experts each rank owns. */
  public int expertsPerRank() {
    return experts / ranks;
  }

  /** The rank that owns expert {@code expert}'s weights. */
  public int nativeRank(int expert) {
    checkExpert(expert);
    return expert / expertsPerRank();
  }

  /** The lowest expert id native to {@code rank}; its experts are [first, first + M). */
  public int firstExpert(int rank) {
    checkRank(rank);
    return rank * expertsPerRank();
  }

  void checkExpert(int expert) {
    if (expert < 0 || expert >= experts) {
      throw new IllegalArgumentException("expert must be in [0, " + experts + "), got " + expert);
    }
  }

  void checkRank(int rank) {
    if (rank < 0 || rank >= ranks) {
      throw new IllegalArgumentException("rank must be in [0, " + ranks + "), got " + rank);
    }
  }
}
