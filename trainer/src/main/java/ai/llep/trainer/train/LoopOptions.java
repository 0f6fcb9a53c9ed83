package ai.llep.trainer.train;

import ai.llep.models.ParameterKind;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code train} section: how long and how the loop runs.
 *
 * @param maxSteps optimizer steps in total, counting steps before a resume
 * @param gradAccum micro-batches per optimizer step
 * @param frozen parameter kinds that do not train ({@code train.freeze})
 * @param logEvery print and track a progress line every this many steps
 * @param resume whether to continue from the newest complete checkpoint
 * @param exportDir where the final model is written in Hugging Face layout, if anywhere
 */
public record LoopOptions(
    int maxSteps,
    int gradAccum,
    Set<ParameterKind> frozen,
    int logEvery,
    Resume resume,
    Optional<Path> exportDir) {
  /** {@code train.resume}. */
  public enum Resume {
    /** Start from the model's weights. */
    NONE,
    /** Continue from the newest complete checkpoint in {@code checkpoint.dir}, if there is one. */
    LATEST
  }

  public LoopOptions {
    frozen = Set.copyOf(frozen);
    Objects.requireNonNull(resume, "resume");
    Objects.requireNonNull(exportDir, "exportDir");
    positive("train.max-steps", maxSteps);
    positive("train.grad-accum", gradAccum);
    positive("train.log-every", logEvery);
  }

  private static void positive(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be >= 1, got " + value);
    }
  }
}
