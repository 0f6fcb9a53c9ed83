package ai.llep.trainer.train;

import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.train.LoopOptions.ResumeChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Compares what a checkpoint recorded of its run with the run resuming from it: world size, seed,
 * model source and data (files and contents). A difference that {@code train.resume-allow} does not
 * name stops the run before the model loads; an allowed one is a warning saying what changes.
 */
final class ResumeCompatibility {
  /** One difference, in words. */
  record Change(ResumeChange kind, String description) {
    Change {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(description, "description");
    }
  }

  private ResumeCompatibility() {}

  static List<Change> changes(TrainerState recorded, RunIdentity current, List<String> notes) {
    List<Change> changes = new ArrayList<>();
    if (recorded.worldSize() != current.worldSize()) {
      changes.add(
          new Change(
              ResumeChange.WORLD_SIZE,
              "world size: the checkpoint was written by "
                  + recorded.worldSize()
                  + " ranks, this run has "
                  + current.worldSize()
                  + " (each rank's share of every batch changes, so the losses differ from an"
                  + " uninterrupted run)"));
    }
    if (recorded.seed() != current.seed()) {
      changes.add(
          new Change(
              ResumeChange.SEED,
              "seed: the checkpoint's run used "
                  + recorded.seed()
                  + ", this run "
                  + current.seed()
                  + " (the data order from the resumed step on changes)"));
    }
    if (recorded.model() == null) {
      notes.add("the checkpoint does not record its model.source (written by an older version)");
    } else if (!recorded.model().equals(current.model())) {
      changes.add(
          new Change(
              ResumeChange.MODEL,
              "model.source: the checkpoint's run used "
                  + recorded.model()
                  + ", this run "
                  + current.model()));
    }
    if (recorded.dataFiles() == null || recorded.dataFingerprint() == null) {
      notes.add("the checkpoint does not record its data (written by an older version)");
    } else if (!recorded.dataFiles().equals(current.dataFiles())) {
      changes.add(
          new Change(
              ResumeChange.DATA,
              "data.files: the checkpoint's run read "
                  + recorded.dataFiles()
                  + ", this run "
                  + current.dataFiles()));
    } else if (!recorded.dataFingerprint().equals(current.dataFingerprint())) {
      changes.add(
          new Change(
              ResumeChange.DATA,
              "data: the contents of data.files changed since the checkpoint was written (SHA-256 "
                  + recorded.dataFingerprint().substring(0, 12)
                  + "... then, "
                  + current.dataFingerprint().substring(0, 12)
                  + "... now; the rows and their order change)"));
    }
    return changes;
  }

  /**
   * Warns through {@code warn} about each allowed change and note.
   *
   * @throws ConfigError naming every change not in {@code allowed} and the way to allow it
   */
  static void require(
      String checkpoint,
      TrainerState recorded,
      RunIdentity current,
      Set<ResumeChange> allowed,
      Consumer<String> warn) {
    List<String> notes = new ArrayList<>();
    List<Change> changes = changes(recorded, current, notes);
    List<Change> refused = changes.stream().filter(c -> !allowed.contains(c.kind())).toList();
    if (!refused.isEmpty()) {
      List<String> keys = refused.stream().map(c -> key(c.kind())).distinct().toList();
      throw new ConfigError(
          "cannot resume from "
              + checkpoint
              + ": "
              + String.join("; ", refused.stream().map(Change::description).toList())
              + ". Resume with the checkpoint's settings, allow the change with"
              + " train.resume-allow=["
              + String.join(", ", keys)
              + "], or start a new run (train.resume=none with another checkpoint.dir)");
    }
    for (Change change : changes) {
      warn.accept("resuming with a change (train.resume-allow): " + change.description());
    }
    for (String note : notes) {
      warn.accept(note + "; not checked");
    }
  }

  private static String key(ResumeChange change) {
    return change.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
