package ai.llep.trainer.train;

import ai.llep.trainer.data.ShardedBatches;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/**
 * The small, non-tensor part of a checkpoint: where training stands. Data order and every random
 * draw derive from {@code seed} and the data position, so these restore the run exactly.
 */
record TrainerState(long step, int epoch, int cursor, long seed, int worldSize, double lastLoss) {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  ShardedBatches.Position position() {
    return new ShardedBatches.Position(epoch, cursor);
  }

  String toJson() {
    return GSON.toJson(this);
  }

  static TrainerState fromJson(String json) {
    return GSON.fromJson(json, TrainerState.class);
  }
}
