package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.optim.AdamWState;
import ai.llep.trainer.optim.ElementPartition;
import ai.llep.trainer.optim.Optimizer;
import ai.llep.trainer.optim.ShardedAdamW;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The AdamW moments in a checkpoint's {@code optimizer.safetensors} files, written and read back
 * side by side. Whole moments are stored under their parameter's checkpoint names plus {@code
 * .exp_avg} / {@code .exp_avg_sq}: the replicated parameters' by rank 0, each rank its experts'.
 * With {@code optim.zero=1} every rank stores the slices it holds of the replicated parameters'
 * moments, elements {@code [start, end)} of a flattened moment under {@code
 * <parameter>.exp_avg.shard-<start>-<end>}, and every rank's file records the world size in its
 * metadata ({@value #ZERO_WORLD_SIZE}): such state resumes only on that world size. A checkpoint
 * without ZeRO resumes with it (each rank takes its slices of the whole moments).
 */
final class OptimizerCheckpoint {
  static final String STEP = "step";
  static final String ZERO_WORLD_SIZE = "zero-world-size";
  private static final List<String> SUFFIXES =
      List.of(AdamWState.FIRST_MOMENT, AdamWState.SECOND_MOMENT);

  private OptimizerCheckpoint() {}

  /** The name of the slice {@code slice} of moment {@code moment} (a parameter name + suffix). */
  static String shardName(String moment, ElementPartition.Slice slice) {
    return moment + ".shard-" + slice.start() + "-" + slice.end();
  }

  /** The moments rank {@code rank} writes, by checkpoint name (views, attached to scope). */
  static Map<String, NDArray> written(
      Optimizer optimizer, AdamWState state, List<Parameter> saved, int rank, NDManager scope) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Parameter p : saved) {
      Optional<ElementPartition.Slice> slice = heldSlice(optimizer, p);
      for (String suffix : SUFFIXES) {
        NDArray moment = state.tensors().get(p.name() + suffix);
        if (moment == null) {
          continue;
        }
        if (slice.isPresent()) {
          out.put(shardName(p.name() + suffix, slice.get()), moment);
        } else if (rank == 0 || p.kind() == ParameterKind.EXPERT) {
          p.byCheckpointName(moment, scope).forEach((name, part) -> out.put(name + suffix, part));
        }
      }
    }
    return out;
  }

  /** The file's metadata: the step count, and with ZeRO the world size. */
  static Map<String, String> metadata(Optimizer optimizer, AdamWState state) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(STEP, Long.toString(state.step()));
    if (optimizer instanceof ShardedAdamW sharded) {
      out.put(ZERO_WORLD_SIZE, Integer.toString(sharded.worldSize()));
    }
    return out;
  }

  /**
   * Loads into {@code optimizer} the moments of {@code trainable} that {@link #written} stored in
   * {@code dir}.
   *
   * @throws ConfigError on rank 0 ({@link StoppedWithRankZero} on the others, which reach the same
   *     verdict) when the checkpoint's ZeRO state does not fit this run: optim.zero or the world
   *     size changed
   */
  static void restore(
      Optimizer optimizer, List<Parameter> trainable, Path dir, int rank, NDManager manager) {
    try (CheckpointTensors moments = new CheckpointTensors(dir, Checkpointer.OPTIMIZER_FILE);
        NDManager scope = manager.newSubManager()) {
      Map<String, String> metadata = moments.metadata();
      int savedWorld = Integer.parseInt(metadata.getOrDefault(ZERO_WORLD_SIZE, "0"));
      String refusal = refusal(optimizer, savedWorld, dir);
      if (refusal != null) {
        throw rank == 0
            ? new ConfigError(refusal)
            : new StoppedWithRankZero("the checkpoint's optimizer state does not fit this run");
      }
      Map<String, NDArray> tensors = new HashMap<>();
      for (Parameter p : trainable) {
        Optional<ElementPartition.Slice> slice = heldSlice(optimizer, p);
        boolean notHeld = optimizer instanceof ShardedAdamW && p.kind() != ParameterKind.EXPERT;
        if (notHeld && slice.isEmpty()) {
          continue;
        }
        for (String suffix : SUFFIXES) {
          String moment = p.name() + suffix;
          NDArray value;
          if (slice.isPresent() && savedWorld > 0) {
            value = moments.read(shardName(moment, slice.get()), scope, DataType.FLOAT32);
          } else if (slice.isPresent()) {
            value = sliceOf(whole(moments, p, suffix, scope), slice.get());
          } else {
            value = whole(moments, p, suffix, scope);
          }
          tensors.put(moment, value);
        }
      }
      long step = Long.parseLong(metadata.getOrDefault(STEP, "0"));
      optimizer.importState(new AdamWState(step, tensors));
    }
  }

  /** Why the checkpoint's ZeRO state does not fit {@code optimizer}, or null when it does. */
  private static String refusal(Optimizer optimizer, int savedWorld, Path dir) {
    if (savedWorld > 0 && !(optimizer instanceof ShardedAdamW)) {
      return "cannot resume from "
          + dir
          + " with optim.zero=0: it holds the replicated parameters' optimizer state sharded over "
          + savedWorld
          + " ranks (optim.zero=1); resume with optim.zero=1 on "
          + savedWorld
          + " ranks";
    }
    if (savedWorld > 0
        && optimizer instanceof ShardedAdamW sharded
        && savedWorld != sharded.worldSize()) {
      return "cannot resume from "
          + dir
          + " with optim.zero=1: its optimizer state is sharded over "
          + savedWorld
          + " ranks and this run has "
          + sharded.worldSize()
          + "; ZeRO-1 state resumes only on the world size that wrote it (resume on "
          + savedWorld
          + " ranks, or start a new run)";
    }
    return null;
  }

  /** The slice of {@code p}'s elements whose state this rank holds under ZeRO-1, if any. */
  private static Optional<ElementPartition.Slice> heldSlice(Optimizer optimizer, Parameter p) {
    if (optimizer instanceof ShardedAdamW sharded && p.kind() != ParameterKind.EXPERT) {
      return Optional.ofNullable(sharded.heldSlices().get(p.name()));
    }
    return Optional.empty();
  }

  /** A whole moment of {@code p}, from its checkpoint tensors (stacked again for a stack). */
  private static NDArray whole(
      CheckpointTensors moments, Parameter p, String suffix, NDManager scope) {
    NDList parts = new NDList();
    for (String name : p.checkpointNames()) {
      parts.add(moments.read(name + suffix, scope, DataType.FLOAT32));
    }
    return p.stacked() ? NDArrays.stack(parts, 0) : parts.getFirst();
  }

  private static NDArray sliceOf(NDArray whole, ElementPartition.Slice slice) {
    return whole.flatten().get(new NDIndex(slice.start() + ":" + slice.end()));
  }
}
