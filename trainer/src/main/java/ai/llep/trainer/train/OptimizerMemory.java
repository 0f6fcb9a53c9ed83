package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.trainer.optim.Optimizer;
import ai.llep.trainer.optim.ShardedAdamW;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The optimizer state a rank holds, each figure the largest over the ranks: in all, of the
 * replicated parameters (whole without ZeRO, about 1/P of {@code replicatedUnsharded} with {@code
 * optim.zero=1}) and of the rank's experts. The state is AdamW's two float32 moments (8 bytes per
 * element) and, with bf16 ZeRO-1 ({@code masters}), the replicated parameters' float32 master
 * weights (4 more): the model then holds those parameters in bfloat16 (2 bytes, and 2 of gradient)
 * instead of float32 (4 + 4).
 *
 * @param replicatedUnsharded the replicated parameters' moments (and masters, with {@code masters})
 *     whole, as every rank holds them without ZeRO
 * @param masters whether the replicated state includes the float32 master weights
 */
record OptimizerMemory(
    long total,
    long replicated,
    long replicatedUnsharded,
    long experts,
    int zero,
    int worldSize,
    boolean masters) {

  /** Collective (one all-reduce): every rank calls it once. */
  static OptimizerMemory of(
      Optimizer optimizer,
      List<Parameter> trainable,
      int zero,
      Communicator comm,
      NDManager manager) {
    Map<String, Long> held = optimizer.stateBytes();
    boolean masters = optimizer instanceof ShardedAdamW sharded && sharded.holdsMasters();
    long perElement = (masters ? 3L : 2L) * Float.BYTES;
    long replicated = 0;
    long unsharded = 0;
    long experts = 0;
    for (Parameter p : trainable) {
      long bytes = held.getOrDefault(p.name(), 0L);
      if (p.kind() == ParameterKind.EXPERT) {
        experts += bytes;
      } else {
        replicated += bytes;
        unsharded += perElement * p.array().size();
      }
    }
    long[] largest;
    try (NDManager scope = manager.newSubManager();
        NDArray mine = scope.create(new long[] {replicated + experts, replicated, experts});
        NDArray max = comm.allReduce(mine, ReduceOp.MAX)) {
      largest = max.toLongArray();
    }
    return new OptimizerMemory(
        largest[0], largest[1], unsharded, largest[2], zero, comm.worldSize(), masters);
  }

  /** The line printed at the end of a run. */
  String line() {
    String sharing =
        zero == 1
            ? String.format(
                Locale.ROOT,
                "%s of %s, sharded over %d ranks by optim.zero=1",
                size(replicated),
                size(replicatedUnsharded),
                worldSize)
            : size(replicated) + " on every rank (optim.zero=0)";
    return "optimizer state per rank: "
        + size(total)
        + (masters
            ? " (replicated parameters' float32 master weights and moments "
            : " (replicated parameters' moments ")
        + sharing
        + "; experts' "
        + size(experts)
        + ")"
        + (masters
            ? "; the replicated weights and their gradients are bfloat16 on every rank (2 + 2 B per"
                + " parameter)"
            : "");
  }

  /** The tracked metrics, in MB (10^6 bytes) as the other memory metrics. */
  Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("optimizer_state_mb", total / 1e6);
    m.put("optimizer_state_replicated_mb", replicated / 1e6);
    m.put("optimizer_state_replicated_unsharded_mb", replicatedUnsharded / 1e6);
    m.put("optimizer_state_experts_mb", experts / 1e6);
    return m;
  }

  /** GiB as {@link Figures#bytes}; below, MiB or KiB with one decimal (small models). */
  private static String size(long bytes) {
    if (bytes >= 1L << 30) {
      return Figures.bytes(bytes);
    }
    return bytes >= 1L << 20
        ? String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20))
        : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }
}
