package ai.llep.trainer.train;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code checkpoint} section.
 *
 * @param dir folder of the {@code step-NNNNNNNN} checkpoints
 * @param every save every this many steps (and always at the end, and when stopped); 0 = only then
 * @param keepLast complete checkpoints kept
 */
public record CheckpointOptions(Path dir, int every, int keepLast) {
  public CheckpointOptions {
    Objects.requireNonNull(dir, "dir");
    if (every < 0) {
      throw new IllegalArgumentException(
          "checkpoint.every must be >= 0 (0 = only at the end), got " + every);
    }
    if (keepLast < 1) {
      throw new IllegalArgumentException("checkpoint.keep-last must be >= 1, got " + keepLast);
    }
  }

  /** Whether the schedule saves after {@code step} (the end and a stop save as well). */
  boolean due(long step) {
    return every > 0 && step % every == 0;
  }
}
