package ai.llep.trainer.train;

import ai.llep.models.ActivationCheckpointing;
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
 * @param activationCheckpointing what the backward recomputes instead of keeping from the forward
 *     ({@code train.activation-checkpointing})
 * @param resumeAllow what a resumed run may change from its checkpoint's run ({@code
 *     train.resume-allow}); any other change is an error
 */
public record LoopOptions(
    int maxSteps,
    int gradAccum,
    Set<ParameterKind> frozen,
    int logEvery,
    Resume resume,
    Optional<Path> exportDir,
    ActivationCheckpointing activationCheckpointing,
    Set<ResumeChange> resumeAllow) {
  /** {@code train.resume}. */
  public enum Resume {
    /** Start from the model's weights. */
    NONE,
    /**
     * Continue from the newest verified checkpoint in {@code checkpoint.dir}, or start fresh when
     * it holds none at all.
     */
    LATEST
  }

  /** What may differ between a checkpoint's run and the run resuming from it. */
  public enum ResumeChange {
    /** The number of ranks: each rank's share of every batch changes. */
    WORLD_SIZE,
    /** {@code seed}: the data order from the resume point on changes. */
    SEED,
    /** {@code model.source}: the architecture, tokenizer and export config come from elsewhere. */
    MODEL,
    /** {@code data.files} or their contents: the rows and their order change. */
    DATA
  }

  public LoopOptions {
    frozen = Set.copyOf(frozen);
    resumeAllow = Set.copyOf(resumeAllow);
    Objects.requireNonNull(resume, "resume");
    Objects.requireNonNull(exportDir, "exportDir");
    Objects.requireNonNull(activationCheckpointing, "activationCheckpointing");
    positive("train.max-steps", maxSteps);
    positive("train.grad-accum", gradAccum);
    positive("train.log-every", logEvery);
  }

  /** Allowing no change on resume. */
  public LoopOptions(
      int maxSteps,
      int gradAccum,
      Set<ParameterKind> frozen,
      int logEvery,
      Resume resume,
      Optional<Path> exportDir,
      ActivationCheckpointing activationCheckpointing) {
    this(
        maxSteps,
        gradAccum,
        frozen,
        logEvery,
        resume,
        exportDir,
        activationCheckpointing,
        Set.of());
  }

  private static void positive(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be >= 1, got " + value);
    }
  }
}
