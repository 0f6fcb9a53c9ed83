package ai.llep.trainer.train;

import ai.llep.trainer.data.ShardedBatches;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.List;
import java.util.Optional;

/**
 * The small, non-tensor part of a checkpoint: where training stands and what it trained on. Data
 * order and every random draw derive from {@code seed} and the data position, so these restore the
 * run exactly; a resumed run checks the rest against its own ({@link ResumeCompatibility}). {@code
 * runId} is the tracked run (MLflow) the steps were logged to, which a resumed run continues; null
 * when nothing was tracked. Fields added later are null in checkpoints written before them.
 *
 * @param trainingRun the identity of the training run across its launches ({@link RunIdentity})
 * @param model {@code model.source} as {@link ModelSpec#identity()} gives it
 * @param dataFiles {@code data.files}, absolute
 * @param dataFingerprint SHA-256 of the data files' contents ({@link DataFingerprint})
 * @param eval the best eval loss so far and early stopping's count; null before the first
 *     evaluation
 */
record TrainerState(
    long step,
    int epoch,
    int cursor,
    long seed,
    int worldSize,
    double lastLoss,
    String runId,
    String trainingRun,
    String model,
    List<String> dataFiles,
    String dataFingerprint,
    EvalProgress eval) {
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  /** Before any evaluation. */
  TrainerState(
      long step,
      int epoch,
      int cursor,
      long seed,
      int worldSize,
      double lastLoss,
      String runId,
      String trainingRun,
      String model,
      List<String> dataFiles,
      String dataFingerprint) {
    this(
        step,
        epoch,
        cursor,
        seed,
        worldSize,
        lastLoss,
        runId,
        trainingRun,
        model,
        dataFiles,
        dataFingerprint,
        null);
  }

  /** The state after {@code step} of the run {@code identity} describes. */
  static TrainerState of(
      long step,
      ShardedBatches.Position position,
      double lastLoss,
      String runId,
      RunIdentity identity) {
    return of(step, position, lastLoss, runId, identity, Optional.empty());
  }

  /** As above, with what the evaluations so far decided. */
  static TrainerState of(
      long step,
      ShardedBatches.Position position,
      double lastLoss,
      String runId,
      RunIdentity identity,
      Optional<EvalProgress> eval) {
    return new TrainerState(
        step,
        position.epoch(),
        position.cursor(),
        identity.seed(),
        identity.worldSize(),
        lastLoss,
        runId,
        identity.trainingRun(),
        identity.model(),
        identity.dataFiles(),
        identity.dataFingerprint(),
        eval.orElse(null));
  }

  Optional<EvalProgress> evalProgress() {
    return Optional.ofNullable(eval);
  }

  ShardedBatches.Position position() {
    return new ShardedBatches.Position(epoch, cursor);
  }

  Optional<String> trackedRun() {
    return Optional.ofNullable(runId).filter(id -> !id.isBlank());
  }

  String toJson() {
    return GSON.toJson(this);
  }

  static TrainerState fromJson(String json) {
    return GSON.fromJson(json, TrainerState.class);
  }
}
