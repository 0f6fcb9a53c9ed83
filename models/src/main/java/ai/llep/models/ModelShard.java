package ai.llep.models;

/**
 * Which slice of the model a process holds: rank {@code rank} of {@code worldSize} owns the dense
 * weights (replicated) and experts [rank * E / P, (rank + 1) * E / P) of every MoE layer.
 */
public record ModelShard(int rank, int worldSize) {
  public ModelShard {
    if (worldSize < 1) {
      throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
    }
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank must be in [0, " + worldSize + "), got " + rank);
    }
  }

  /** One process holding everything. */
  public static ModelShard single() {
    return new ModelShard(0, 1);
  }
}
