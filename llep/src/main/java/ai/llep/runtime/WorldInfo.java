package ai.llep.runtime;

import java.util.Map;

/**
 * Where this process sits in the job: its global and local rank, the world sizes and the rendezvous
 * address. Read once at start-up from the launcher's (torchrun-compatible) or Slurm's environment.
 */
public record WorldInfo(
    int rank, int localRank, int worldSize, int localWorldSize, String masterAddr, int masterPort) {
  public WorldInfo {
    if (worldSize < 1) {
      throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
    }
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank must be in [0, " + worldSize + "), got " + rank);
    }
    if (localWorldSize < 1 || localRank < 0 || localRank >= localWorldSize) {
      throw new IllegalArgumentException(
          "local rank must be in [0, " + localWorldSize + "), got " + localRank);
    }
    if (masterAddr == null || masterAddr.isBlank()) {
      throw new IllegalArgumentException("master address must not be blank");
    }
    if (masterPort < 0 || masterPort > 65535) {
      throw new IllegalArgumentException("master port must be in [0, 65535], got " + masterPort);
    }
  }

  /** One process, no peers: what a run without any launcher variables gets. */
  public static WorldInfo single() {
    return new WorldInfo(0, 0, 1, 1, "127.0.0.1", 0);
  }

  /**
   * Reads the world from environment variables: torchrun's ({@code RANK}, {@code LOCAL_RANK},
   * {@code WORLD_SIZE}, {@code LOCAL_WORLD_SIZE}, {@code MASTER_ADDR}, {@code MASTER_PORT}) when
   * {@code RANK} or {@code WORLD_SIZE} is set, else Slurm's ({@code SLURM_PROCID}, {@code
   * SLURM_NTASKS}, {@code SLURM_LOCALID}, {@code SLURM_NTASKS_PER_NODE} or derived, with {@code
   * MASTER_ADDR} and {@code MASTER_PORT}), else {@link #single()}.
   *
   * @throws IllegalArgumentException naming the variable and its value when one is missing,
   *     malformed or inconsistent with the others
   */
  public static WorldInfo fromEnvironment(Map<String, String> env) {
    return new WorldEnvironment(env).read();
  }
}
