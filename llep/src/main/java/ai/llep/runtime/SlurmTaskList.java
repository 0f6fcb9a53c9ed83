package ai.llep.runtime;

/**
 * Reads Slurm's compressed task-count list ({@code SLURM_TASKS_PER_NODE}), where {@code 2(x3),1}
 * means three nodes with two tasks each, then one node with one task.
 */
final class SlurmTaskList {
  private SlurmTaskList() {}

  static int tasksOnNode(String list, int node, int worldSize) {
    int first = 0;
    for (String group : list.strip().split(",")) {
      int open = group.indexOf("(x");
      int tasks = parse(list, open < 0 ? group : group.substring(0, open));
      int repeat = 1;
      if (open >= 0) {
        if (!group.endsWith(")")) {
          throw malformed(list);
        }
        repeat = parse(list, group.substring(open + 2, group.length() - 1));
      }
      if (node < first + repeat) {
        if (tasks > worldSize) {
          throw new IllegalArgumentException(
              "SLURM_TASKS_PER_NODE='"
                  + list
                  + "' gives node "
                  + node
                  + " "
                  + tasks
                  + " tasks, more than SLURM_NTASKS="
                  + worldSize);
        }
        return tasks;
      }
      first += repeat;
    }
    throw new IllegalArgumentException(
        "SLURM_NODEID="
            + node
            + " is beyond the "
            + first
            + " nodes of SLURM_TASKS_PER_NODE='"
            + list
            + "'");
  }

  private static int parse(String list, String number) {
    try {
      int value = Integer.parseInt(number.strip());
      if (value < 1) {
        throw malformed(list);
      }
      return value;
    } catch (NumberFormatException e) {
      throw malformed(list);
    }
  }

  private static IllegalArgumentException malformed(String list) {
    return new IllegalArgumentException(
        "SLURM_TASKS_PER_NODE='" + list + "' is not a list like '2(x3),1'");
  }
}
