package ai.llep.runtime;

/**
 * Where this process sits in the job: its global and local rank, the world sizes and the
 * rendezvous address. Read once at start-up from the launcher's (torchrun-compatible) or Slurm's
 * environment.
 */
public record WorldInfo(
    int rank, int localRank, int worldSize, int localWorldSize, String masterAddr, int masterPort) {
  public WorldInfo {
    if (worldSize < 1) {
      throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
    }
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException(
          "rank must be in [0, " + worldSize + "), got " + rank);
    }
    if (localWorldSize < 1 || localRank < 0 || localRank >= localWorldSize) {
      throw new IllegalArgumentException(
          "local rank must be in [0, " + localWorldSize + "), got " + localRank);
    }
    if (masterPort < 0 || masterPort > 65535) {
      throw new IllegalArgumentException("master port must be in [0, 65535], got " + masterPort);
    }
  }

  public static WorldInfo single() {
    return new WorldInfo(0, 0, 1, 1, "127.0.0.1", 0);
  }
}
