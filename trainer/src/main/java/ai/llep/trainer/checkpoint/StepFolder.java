package ai.llep.trainer.checkpoint;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A published step folder as inspected: the checkpoint it holds, or why it holds none usable.
 *
 * @param problem empty when {@code checkpoint} is present
 */
public record StepFolder(long step, Path dir, Optional<Checkpoint> checkpoint, String problem) {
  public StepFolder {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(problem, "problem");
    if (checkpoint.isPresent() != problem.isEmpty()) {
      throw new IllegalArgumentException("a step folder has a checkpoint or a problem, not both");
    }
  }
}
