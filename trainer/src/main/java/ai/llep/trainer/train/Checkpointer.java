package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import ai.llep.models.FiniteValues;
import ai.llep.models.MoeTransformer;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.models.hf.SafetensorsWriter;
import ai.llep.trainer.checkpoint.AtomicWrite;
import ai.llep.trainer.checkpoint.Checkpoint;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.optim.AdamWState;
import ai.llep.trainer.optim.Optimizer;
import ai.llep.trainer.optim.ShardedAdamW;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes checkpoints. Rank 0 writes the replicated tensors (dense and router weights and their
 * optimizer moments), every rank its own experts, one tensor per expert under its Hugging Face name
 * (a stacked parameter is written as its slices). Before anything is written, every rank checks its
 * tensors for NaN and infinite values on its device and the ranks agree in one all-reduce: a
 * non-finite checkpoint is never published. Each rank writes into its folder of the step's partial
 * folder and seals it (hashes its own files), and rank 0 publishes the step only after every rank
 * has sealed (a barrier), so a crash mid-write never damages the previous checkpoint; then it
 * deletes this run's checkpoints beyond {@code checkpoint.keep-last}. The optimizer's moments are
 * written and read back by {@link OptimizerCheckpoint}. The weights written are always the float32
 * masters: with bf16 ZeRO-1 ({@link ShardedAdamW#holdsMasters}) gathered from the ranks onto rank
 * 0, so that a resume (on any world size) and the export read them as without sharding.
 */
final class Checkpointer {
  static final String MODEL_FILE = "model.safetensors";
  static final String OPTIMIZER_FILE = "optimizer.safetensors";
  static final String STATE_FILE = "trainer-state.json";
  static final String CONFIG_FILE = "config.conf";

  private static final Logger LOG = LogManager.getLogger(Checkpointer.class);

  private final CheckpointLayout layout;
  private final Communicator comm;
  private final NDManager manager;
  private final int keepLast;
  private final String trainingRun;
  private final Set<Long> rejected;
  private Checkpoint lastPublished;

  /**
   * @param trainingRun the run's identity, recorded in every manifest; retention touches only its
   *     checkpoints
   * @param rejected steps whose folders the resume rejected (corrupt, non-finite): saving such a
   *     step replaces its folder
   */
  Checkpointer(
      CheckpointOptions options,
      Communicator comm,
      NDManager manager,
      String trainingRun,
      Set<Long> rejected) {
    this.layout = new CheckpointLayout(options.dir());
    this.comm = comm;
    this.manager = manager;
    this.keepLast = options.keepLast();
    this.trainingRun = trainingRun;
    this.rejected = Set.copyOf(rejected);
  }

  /**
   * Collective: every rank calls it at the same step. Returns the published folder.
   *
   * @throws NonFiniteStep on every rank when any rank's weights or moments hold a NaN or infinite
   *     value; nothing is written then
   */
  Path save(
      TrainerState state,
      MoeTransformer model,
      Optimizer optimizer,
      String resolvedConfig,
      NDManager scope) {
    int rank = comm.rank();
    long step = state.step();
    AdamWState optimizerState = optimizer.exportState(scope);
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    Map<String, NDArray> checked = new LinkedHashMap<>();
    List<Parameter> saved = TrainedParameters.saved(model);
    // bf16 ZeRO-1: the model holds bfloat16 copies; the checkpoint keeps the float32 masters.
    Map<String, NDArray> masters =
        optimizer instanceof ShardedAdamW sharded ? sharded.gatherMasters(scope, 0) : Map.of();
    for (Parameter p : saved) {
      if (rank == 0 || p.kind() == ParameterKind.EXPERT) {
        NDArray weights = masters.getOrDefault(p.name(), p.array());
        checked.put(p.name(), weights);
        tensors.putAll(p.byCheckpointName(weights, scope));
      }
    }
    Map<String, NDArray> moments =
        OptimizerCheckpoint.written(optimizer, optimizerState, saved, rank, scope);
    checked.putAll(moments);
    requireFinite(step, checked);
    Path dir = layout.prepareRank(step, rank);
    try {
      SafetensorsWriter.write(
          dir.resolve(MODEL_FILE),
          tensors,
          Map.of("format", "pt"),
          SafetensorsWriter.FloatStorage.AS_IS);
      SafetensorsWriter.write(
          dir.resolve(OPTIMIZER_FILE),
          moments,
          OptimizerCheckpoint.metadata(optimizer, optimizerState),
          SafetensorsWriter.FloatStorage.AS_IS);
      if (rank == 0) {
        AtomicWrite.writeString(dir.resolve(STATE_FILE), state.toJson());
        AtomicWrite.writeString(dir.resolve(CONFIG_FILE), resolvedConfig);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "rank " + rank + " could not write checkpoint step " + step + ": " + e.getMessage(), e);
    }
    layout.sealRank(step, rank, trainingRun);
    comm.barrier();
    if (rank == 0) {
      lastPublished = layout.commit(step, comm.worldSize(), trainingRun, rejected.contains(step));
      OptionalLong best =
          state.evalProgress().map(e -> OptionalLong.of(e.bestStep())).orElse(OptionalLong.empty());
      // A best folder gone before this launch (a warning at resume) leaves the link until a new
      // best.
      best.stream().filter(b -> Files.isDirectory(layout.stepDir(b))).forEach(layout::pointBest);
      layout.retain(keepLast, trainingRun, step, best);
    }
    comm.barrier();
    return layout.stepDir(step);
  }

  /**
   * One all-reduce of a flag per rank: whether any of its tensors holds a NaN or infinite value
   * (each rank names its own in a warning).
   */
  private void requireFinite(long step, Map<String, NDArray> tensors) {
    List<String> names = List.copyOf(tensors.keySet());
    int bad = FiniteValues.firstNonFinite(List.copyOf(tensors.values()));
    if (bad >= 0) {
      LOG.warn(
          "rank {}: {} holds non-finite values at step {}; not saving",
          comm.rank(),
          names.get(bad),
          step);
    }
    long[] flags = new long[comm.worldSize()];
    flags[comm.rank()] = bad >= 0 ? 1 : 0;
    long[] all;
    try (NDManager m = manager.newSubManager();
        NDArray summed = comm.allReduce(m.create(flags), ReduceOp.SUM)) {
      all = summed.toLongArray();
    }
    List<Integer> ranks = new ArrayList<>();
    for (int r = 0; r < all.length; r++) {
      if (all[r] > 0) {
        ranks.add(r);
      }
    }
    if (!ranks.isEmpty()) {
      throw new NonFiniteStep(
          "step "
              + step
              + ": the weights or optimizer moments of rank(s) "
              + ranks
              + " hold NaN or infinite values (each such rank names the tensor in a warning), so"
              + " this step's checkpoint was not written");
    }
  }

  /**
   * Rank 0, after a resume: points {@code checkpoint.dir/best} at the best step the resumed
   * checkpoint recorded (the link may name a later step this launch does not continue from). A
   * recorded best whose folder is gone is a warning.
   */
  void pointBest(EvalProgress progress) {
    if (comm.rank() != 0) {
      return;
    }
    if (layout
        .inspect(progress.bestStep(), CheckpointLayout.Verify.MANIFEST)
        .checkpoint()
        .isEmpty()) {
      LOG.warn(
          "the best checkpoint so far, {}, is missing: {} will name the next best",
          layout.stepDir(progress.bestStep()),
          layout.root().resolve("best"));
      return;
    }
    layout.pointBest(progress.bestStep());
  }

  /** The checkpoint rank 0 published last in this launch (empty on other ranks). */
  Optional<Checkpoint> lastPublished() {
    return Optional.ofNullable(lastPublished);
  }

  /** The folder a published step has. */
  Path stepDir(long step) {
    return layout.stepDir(step);
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
