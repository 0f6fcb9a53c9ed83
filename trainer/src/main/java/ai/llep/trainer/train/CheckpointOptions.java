package ai.llep.trainer.train;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code checkpoint} section.
 *
 * @param dir folder of the {@code step-NNNNNNNN} checkpoints
 * @param every save every this many steps (and always at the end, and when stopped); 0 = only then
 * @param keepLast checkpoints of this run kept
 * @param existing what happens to checkpoints already in {@code dir} that the run does not continue
 *     from
 */
public record CheckpointOptions(Path dir, int every, int keepLast, Existing existing) {
  /** {@code checkpoint.existing}. */
  public enum Existing {
    /** Stop before the model loads, naming the folder and the ways out. */
    ERROR,
    /** Move them into a new folder {@code moved-aside-<time>} of {@code dir}. */
    MOVE_ASIDE,
    /** Delete them. */
    DELETE
  }

  public CheckpointOptions {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(existing, "existing");
    if (every < 0) {
      throw new IllegalArgumentException(
          "checkpoint.every must be >= 0 (0 = only at the end), got " + every);
    }
    if (keepLast < 1) {
      throw new IllegalArgumentException("checkpoint.keep-last must be >= 1, got " + keepLast);
    }
  }

  /** With {@code checkpoint.existing=error}. */
  public CheckpointOptions(Path dir, int every, int keepLast) {
    this(dir, every, keepLast, Existing.ERROR);
  }

  /** Whether the schedule saves after {@code step} (the end and a stop save as well). */
  boolean due(long step) {
    return every > 0 && step % every == 0;
  }
}
