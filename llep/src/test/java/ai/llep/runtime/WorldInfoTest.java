package ai.llep.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorldInfoTest {
  private static Map<String, String> torchrun(String rank, String worldSize) {
    Map<String, String> env = new HashMap<>();
    env.put("RANK", rank);
    env.put("LOCAL_RANK", "1");
    env.put("WORLD_SIZE", worldSize);
    env.put("LOCAL_WORLD_SIZE", "2");
    env.put("MASTER_ADDR", "10.0.0.1");
    env.put("MASTER_PORT", "29500");
    return env;
  }

  private static Map<String, String> slurm() {
    Map<String, String> env = new HashMap<>();
    env.put("SLURM_PROCID", "5");
    env.put("SLURM_NTASKS", "8");
    env.put("SLURM_LOCALID", "1");
    env.put("SLURM_NTASKS_PER_NODE", "4");
    env.put("MASTER_ADDR", "node01");
    env.put("MASTER_PORT", "29400");
    return env;
  }

  private static String error(Map<String, String> env) {
    return assertThrows(IllegalArgumentException.class, () -> WorldInfo.fromEnvironment(env))
        .getMessage();
  }

  @Test
  void readsTorchrunVariables() {
    assertEquals(
        new WorldInfo(3, 1, 4, 2, "10.0.0.1", 29500),
        WorldInfo.fromEnvironment(torchrun("3", "4")));
  }

  @Test
  void torchrunWinsOverSlurm() {
    Map<String, String> env = slurm();
    env.putAll(torchrun("3", "4"));
    assertEquals(3, WorldInfo.fromEnvironment(env).rank());
  }

  @Test
  void readsSlurmVariables() {
    assertEquals(new WorldInfo(5, 1, 8, 4, "node01", 29400), WorldInfo.fromEnvironment(slurm()));
  }

  @Test
  void derivesSlurmTasksPerNodeFromTheCompressedList() {
    Map<String, String> env = slurm();
    env.remove("SLURM_NTASKS_PER_NODE");
    env.put("SLURM_NTASKS", "7");
    env.put("SLURM_PROCID", "6");
    env.put("SLURM_LOCALID", "0");
    env.put("SLURM_TASKS_PER_NODE", "2(x3),1");
    env.put("SLURM_NODEID", "3");
    assertEquals(1, WorldInfo.fromEnvironment(env).localWorldSize());
    env.put("SLURM_NODEID", "1");
    assertEquals(2, WorldInfo.fromEnvironment(env).localWorldSize());
  }

  @Test
  void derivesSlurmTasksPerNodeFromTheNodeCount() {
    Map<String, String> env = slurm();
    env.remove("SLURM_NTASKS_PER_NODE");
    env.put("SLURM_NNODES", "2");
    assertEquals(4, WorldInfo.fromEnvironment(env).localWorldSize());
    env.put("SLURM_NNODES", "3");
    assertEquals(
        "SLURM_NTASKS=8 is not divisible by SLURM_NNODES=3; set SLURM_NTASKS_PER_NODE", error(env));
  }

  @Test
  void noVariablesMeansOneProcess() {
    assertEquals(WorldInfo.single(), WorldInfo.fromEnvironment(Map.of()));
    assertEquals(
        new WorldInfo(0, 0, 1, 1, "127.0.0.1", 0),
        WorldInfo.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE", "1")));
  }

  @Test
  void rejectsMalformedValues() {
    assertEquals("RANK='two' is not an integer", error(torchrun("two", "4")));
    assertEquals(
        "RANK=4 is out of range [0, 3] (must be below WORLD_SIZE)", error(torchrun("4", "4")));
    assertEquals("WORLD_SIZE=0 is out of range [1, 2147483647]", error(torchrun("0", "0")));
    Map<String, String> env = torchrun("0", "4");
    env.put("MASTER_PORT", "70000");
    assertEquals("MASTER_PORT=70000 is out of range [1, 65535]", error(env));
  }

  @Test
  void rejectsInconsistentValues() {
    Map<String, String> env = torchrun("0", "4");
    env.put("LOCAL_RANK", "2");
    assertEquals(
        "LOCAL_RANK=2 is out of range [0, 1] (must be below LOCAL_WORLD_SIZE)", error(env));
    env = torchrun("0", "4");
    env.put("LOCAL_WORLD_SIZE", "8");
    assertEquals(
        "LOCAL_WORLD_SIZE=8 is out of range [1, 4] (must not exceed WORLD_SIZE)", error(env));
    Map<String, String> slurm = slurm();
    slurm.put("SLURM_LOCALID", "4");
    assertEquals(
        "SLURM_LOCALID=4 is out of range [0, 3] (must be below the tasks on this node)",
        error(slurm));
  }

  @Test
  void rejectsMissingVariables() {
    Map<String, String> env = torchrun("0", "4");
    env.remove("WORLD_SIZE");
    assertEquals(
        "WORLD_SIZE is not set (torchrun variables RANK and WORLD_SIZE are read together)",
        error(env));
    env = torchrun("0", "4");
    env.remove("MASTER_ADDR");
    assertEquals(
        "MASTER_ADDR is not set, but the world size is 4: the launcher must set MASTER_ADDR and"
            + " MASTER_PORT",
        error(env));
    Map<String, String> slurm = slurm();
    slurm.remove("SLURM_NTASKS");
    assertEquals(
        "SLURM_NTASKS is not set (Slurm variables SLURM_PROCID and SLURM_NTASKS are read together)",
        error(slurm));
  }

  @Test
  void rejectsMalformedSlurmTaskList() {
    Map<String, String> env = slurm();
    env.remove("SLURM_NTASKS_PER_NODE");
    env.put("SLURM_TASKS_PER_NODE", "4(x2");
    env.put("SLURM_NODEID", "1");
    assertEquals("SLURM_TASKS_PER_NODE='4(x2' is not a list like '2(x3),1'", error(env));
  }
}
