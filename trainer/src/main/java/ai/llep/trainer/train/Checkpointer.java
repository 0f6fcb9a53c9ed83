package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.Communicator;
import ai.llep.models.MoeTransformer;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.models.hf.SafetensorsWriter;
import ai.llep.trainer.checkpoint.AtomicWrite;
import ai.llep.trainer.checkpoint.Checkpoint;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.optim.AdamW;
import ai.llep.trainer.optim.AdamWState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes and finds checkpoints. Rank 0 writes the replicated tensors (dense and router weights and
 * their optimizer moments), every rank its own experts, one tensor per expert under its Hugging
 * Face name (a stacked parameter is written as its slices); each rank writes into its folder of the
 * step's partial folder, and rank 0 publishes the step only after every rank has flushed (a
 * barrier), so a crash mid-write never damages the previous checkpoint. Restoring the optimizer
 * reads the same names back.
 */
final class Checkpointer {
  static final String MODEL_FILE = "model.safetensors";
  static final String OPTIMIZER_FILE = "optimizer.safetensors";
  static final String STATE_FILE = "trainer-state.json";
  static final String CONFIG_FILE = "config.conf";

  private final CheckpointLayout layout;
  private final Communicator comm;
  private final int keepLast;

  Checkpointer(CheckpointOptions options, Communicator comm) {
    this.layout = new CheckpointLayout(options.dir());
    this.comm = comm;
    this.keepLast = options.keepLast();
  }

  /** Collective: every rank calls it at the same step. Returns the published folder. */
  Path save(
      TrainerState state,
      MoeTransformer model,
      AdamW optimizer,
      String resolvedConfig,
      NDManager scope) {
    int rank = comm.rank();
    long step = state.step();
    Path dir = layout.prepareRank(step, rank);
    AdamWState optimizerState = optimizer.exportState(scope);
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    Map<String, NDArray> moments = new LinkedHashMap<>();
    for (Parameter p : model.parameters().all()) {
      if (rank != 0 && p.kind() != ParameterKind.EXPERT) {
        continue;
      }
      tensors.putAll(p.byCheckpointName(p.array(), scope));
      for (String suffix : List.of(AdamWState.FIRST_MOMENT, AdamWState.SECOND_MOMENT)) {
        NDArray moment = optimizerState.tensors().get(p.name() + suffix);
        if (moment != null) {
          p.byCheckpointName(moment, scope)
              .forEach((name, slice) -> moments.put(name + suffix, slice));
        }
      }
    }
    try {
      SafetensorsWriter.write(
          dir.resolve(MODEL_FILE),
          tensors,
          Map.of("format", "pt"),
          SafetensorsWriter.FloatStorage.AS_IS);
      SafetensorsWriter.write(
          dir.resolve(OPTIMIZER_FILE),
          moments,
          Map.of("step", Long.toString(optimizerState.step())),
          SafetensorsWriter.FloatStorage.AS_IS);
      if (rank == 0) {
        AtomicWrite.writeString(dir.resolve(STATE_FILE), state.toJson());
        AtomicWrite.writeString(dir.resolve(CONFIG_FILE), resolvedConfig);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "rank " + rank + " could not write checkpoint step " + step + ": " + e.getMessage(), e);
    }
    layout.syncRank(step, rank);
    comm.barrier();
    if (rank == 0) {
      layout.commit(step, comm.worldSize());
      layout.retain(keepLast);
    }
    comm.barrier();
    return layout.stepDir(step);
  }

  /** Loads the AdamW moments of {@code trainable} that {@link #save} wrote into {@code dir}. */
  static void restoreOptimizer(
      AdamW optimizer, List<Parameter> trainable, Path dir, NDManager manager) {
    try (CheckpointTensors moments = new CheckpointTensors(dir, OPTIMIZER_FILE);
        NDManager scope = manager.newSubManager()) {
      Map<String, NDArray> tensors = new HashMap<>();
      for (Parameter p : trainable) {
        for (String suffix : List.of(AdamWState.FIRST_MOMENT, AdamWState.SECOND_MOMENT)) {
          NDList slices = new NDList();
          for (String name : p.checkpointNames()) {
            slices.add(moments.read(name + suffix, scope, DataType.FLOAT32));
          }
          tensors.put(p.name() + suffix, p.stacked() ? NDArrays.stack(slices, 0) : slices.get(0));
        }
      }
      long step = Long.parseLong(moments.metadata().getOrDefault("step", "0"));
      optimizer.importState(new AdamWState(step, tensors));
    }
  }

  Optional<Checkpoint> latest() {
    return layout.latest();
  }

  /** The trainer state of a published checkpoint. */
  static TrainerState readState(Checkpoint checkpoint) {
    Path file = checkpoint.rankDir(0).resolve(STATE_FILE);
    try {
      return TrainerState.fromJson(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
