package ai.llep.trainer.train;

import ai.llep.trainer.data.ShardedBatches;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.Optional;

/**
 * The small, non-tensor part of a checkpoint: where training stands. Data order and every random
 * draw derive from {@code seed} and the data position, so these restore the run exactly. {@code
 * runId} is the tracked run (MLflow) the steps were logged to, which a resumed run continues; null
 * when nothing was tracked.
 */
record TrainerState(
    long step, int epoch, int cursor, long seed, int worldSize, double lastLoss, String runId) {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

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
