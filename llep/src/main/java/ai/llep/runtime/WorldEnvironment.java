package ai.llep.runtime;

import java.util.Map;

/**
 * Parses {@link WorldInfo} from torchrun's or Slurm's variables. Every error names the variable and
 * the value it held.
 */
final class WorldEnvironment {
  private static final String DEFAULT_MASTER_ADDR = "127.0.0.1";

  private final Map<String, String> env;

  WorldEnvironment(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  WorldInfo read() {
    if (env.containsKey("RANK") || env.containsKey("WORLD_SIZE")) {
      return torchrun();
    }
    if (env.containsKey("SLURM_PROCID")) {
      return slurm();
    }
    return WorldInfo.single();
  }

  private WorldInfo torchrun() {
    int worldSize = required("WORLD_SIZE", 1, Integer.MAX_VALUE);
    int rank = required("RANK", 0, worldSize - 1);
    int localWorldSize = optional("LOCAL_WORLD_SIZE", 1, worldSize, worldSize);
    int localRank = optional("LOCAL_RANK", 0, localWorldSize - 1, rank % localWorldSize);
    return world(rank, localRank, worldSize, localWorldSize);
  }

  private WorldInfo slurm() {
    int worldSize = required("SLURM_NTASKS", 1, Integer.MAX_VALUE);
    int rank = required("SLURM_PROCID", 0, worldSize - 1);
    int localWorldSize = slurmTasksOnThisNode(worldSize);
    int localRank = required("SLURM_LOCALID", 0, localWorldSize - 1);
    return world(rank, localRank, worldSize, localWorldSize);
  }

  /**
   * Slurm sets {@code SLURM_NTASKS_PER_NODE} only for {@code --ntasks-per-node}; otherwise the
   * per-node count comes from {@code SLURM_TASKS_PER_NODE} (compressed, e.g. {@code 2(x3),1}) and
   * {@code SLURM_NODEID}, or from an even split over {@code SLURM_NNODES}.
   */
  private int slurmTasksOnThisNode(int worldSize) {
    if (env.containsKey("SLURM_NTASKS_PER_NODE")) {
      return required("SLURM_NTASKS_PER_NODE", 1, worldSize);
    }
    if (env.containsKey("SLURM_TASKS_PER_NODE") && env.containsKey("SLURM_NODEID")) {
      int node = required("SLURM_NODEID", 0, Integer.MAX_VALUE);
      return SlurmTaskList.tasksOnNode(env.get("SLURM_TASKS_PER_NODE"), node, worldSize);
    }
    if (env.containsKey("SLURM_NNODES")) {
      int nodes = required("SLURM_NNODES", 1, worldSize);
      if (worldSize % nodes != 0) {
        throw new IllegalArgumentException(
            "SLURM_NTASKS="
                + worldSize
                + " is not divisible by SLURM_NNODES="
                + nodes
                + "; set SLURM_NTASKS_PER_NODE");
      }
      return worldSize / nodes;
    }
    return worldSize;
  }

  private WorldInfo world(int rank, int localRank, int worldSize, int localWorldSize) {
    String addr = env.get("MASTER_ADDR");
    if (worldSize > 1 && (addr == null || addr.isBlank())) {
      throw new IllegalArgumentException(
          "MASTER_ADDR is not set, but the world size is "
              + worldSize
              + ": the launcher must set MASTER_ADDR and MASTER_PORT");
    }
    if (addr != null && addr.isBlank()) {
      throw new IllegalArgumentException("MASTER_ADDR is blank");
    }
    int port =
        worldSize > 1 ? required("MASTER_PORT", 1, 65535) : optional("MASTER_PORT", 0, 65535, 0);
    return new WorldInfo(
        rank,
        localRank,
        worldSize,
        localWorldSize,
        addr == null ? DEFAULT_MASTER_ADDR : addr.strip(),
        port);
  }

  private int required(String name, int min, int max) {
    String raw = env.get(name);
    if (raw == null) {
      throw new IllegalArgumentException(name + " is not set" + requiredBecause());
    }
    return parse(name, raw, min, max);
  }

  private int optional(String name, int min, int max, int fallback) {
    String raw = env.get(name);
    return raw == null ? fallback : parse(name, raw, min, max);
  }

  private String requiredBecause() {
    return env.containsKey("RANK") || env.containsKey("WORLD_SIZE")
        ? " (torchrun variables RANK and WORLD_SIZE are read together)"
        : " (Slurm variables SLURM_PROCID and SLURM_NTASKS are read together)";
  }

  private static int parse(String name, String raw, int min, int max) {
    int value;
    try {
      value = Integer.parseInt(raw.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "='" + raw + "' is not an integer", e);
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + "=" + value + " is out of range [" + min + ", " + max + "]" + rangeHint(name));
    }
    return value;
  }

  private static String rangeHint(String name) {
    return switch (name) {
      case "RANK" -> " (must be below WORLD_SIZE)";
      case "LOCAL_RANK" -> " (must be below LOCAL_WORLD_SIZE)";
      case "LOCAL_WORLD_SIZE" -> " (must not exceed WORLD_SIZE)";
      case "SLURM_PROCID" -> " (must be below SLURM_NTASKS)";
      case "SLURM_LOCALID" -> " (must be below the tasks on this node)";
      default -> "";
    };
  }
}
