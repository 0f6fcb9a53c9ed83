package ai.llep.trainer.train;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What a training run is, as its checkpoints record it: a random identity made at its first launch
 * and kept by every launch that resumes it (retention deletes only this run's checkpoints), and the
 * inputs a resume must not change silently.
 *
 * @param trainingRun a UUID
 * @param model {@link ModelSpec#identity()}
 * @param dataFiles the data files, absolute, each with its weight and format when not the default
 * @param dataFingerprint {@link DataFingerprint} of the files; computed on rank 0 only, which alone
 *     writes the trainer state (empty on the other ranks)
 */
record RunIdentity(
    String trainingRun,
    long seed,
    int worldSize,
    String model,
    List<String> dataFiles,
    String dataFingerprint) {
  RunIdentity {
    Objects.requireNonNull(trainingRun, "trainingRun");
    Objects.requireNonNull(model, "model");
    dataFiles = List.copyOf(dataFiles);
    Objects.requireNonNull(dataFingerprint, "dataFingerprint");
  }

  static String newTrainingRun() {
    return UUID.randomUUID().toString();
  }

  /** A recorded training-run id, if it is one (checkpoints before ids were recorded have none). */
  static Optional<String> parse(String recorded) {
    try {
      return Optional.ofNullable(recorded).map(id -> UUID.fromString(id).toString());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The same inputs, as the run {@code trainingRun} (the one a resumed checkpoint names). */
  RunIdentity continuing(String trainingRun) {
    return new RunIdentity(trainingRun, seed, worldSize, model, dataFiles, dataFingerprint);
  }
}
