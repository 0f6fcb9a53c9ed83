package ai.llep.trainer.train;

import ai.llep.models.ActivationCheckpointing;
import ai.llep.models.ParameterKind;
import ai.llep.trainer.data.SequencePacker;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Everything the training loop needs from the config, bound once at start-up.
 *
 * @param maxSteps optimizer steps to run (in total, counting steps before a resume)
 * @param gradAccum micro-batches per optimizer step
 * @param batchSize rows per micro-batch on each rank
 * @param frozen parameter kinds that do not train ({@code train.freeze})
 * @param logEvery print and track every this many steps
 * @param resume {@code none}, {@code latest}, or a checkpoint step folder
 * @param exportDir where the final model is written in Hugging Face layout (null: no export)
 * @param failRank rank that SIGKILLs itself at {@code failStep} ({@code debug.sigkill-*}), or -1
 * @param activationCheckpointing what the backward recomputes ({@code
 *     train.activation-checkpointing})
 */
public record TrainSettings(
    int maxSteps,
    int gradAccum,
    int batchSize,
    int maxLength,
    SequencePacker.Mode packing,
    List<Path> dataFiles,
    boolean skipBadLines,
    String template,
    double lr,
    double minLrRatio,
    int warmupSteps,
    String schedule,
    double weightDecay,
    double beta1,
    double beta2,
    double eps,
    double gradClip,
    Set<ParameterKind> frozen,
    int logEvery,
    Path checkpointDir,
    int checkpointEvery,
    int keepLast,
    String resume,
    Path exportDir,
    long seed,
    int failRank,
    int failStep,
    ActivationCheckpointing activationCheckpointing) {
  public TrainSettings {
    dataFiles = List.copyOf(dataFiles);
    frozen = Set.copyOf(frozen);
    positive("train.max-steps", maxSteps);
    positive("train.grad-accum", gradAccum);
    positive("data.batch-size", batchSize);
    positive("train.log-every", logEvery);
    if (checkpointEvery < 0) {
      throw new IllegalArgumentException(
          "checkpoint.every must be >= 0 (0 = only at the end), got " + checkpointEvery);
    }
    if (keepLast < 1) {
      throw new IllegalArgumentException("checkpoint.keep-last must be >= 1, got " + keepLast);
    }
    if (!(lr > 0)) {
      throw new IllegalArgumentException("optim.lr must be > 0, got " + lr);
    }
    if (!(gradClip >= 0)) {
      throw new IllegalArgumentException("optim.grad-clip must be >= 0 (0 = off), got " + gradClip);
    }
    if (activationCheckpointing == null) {
      throw new IllegalArgumentException("train.activation-checkpointing must be given");
    }
    if (dataFiles.isEmpty()) {
      throw new IllegalArgumentException("data.files lists no file");
    }
  }

  private static void positive(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be >= 1, got " + value);
    }
  }
}
