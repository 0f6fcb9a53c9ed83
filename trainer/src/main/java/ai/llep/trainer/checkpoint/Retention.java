package ai.llep.trainer.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code checkpoint.keep-last}, as {@link CheckpointLayout#retain} describes it. Only a folder
 * whose manifest (or, for a partial folder, a rank's seal) names the run counts or is deleted:
 * folders of an earlier run in the same root, folders whose ownership cannot be read, and folders
 * of steps after the one just published (a newer checkpoint this run rejected when it resumed,
 * which it will replace when it saves that step) are left alone, and so is the folder of the best
 * step (the link {@code best} names it), kept beyond {@code keep-last} when it is not among the
 * newest.
 */
final class Retention {
  private static final Logger LOG = LogManager.getLogger(Retention.class);

  private Retention() {}

  static List<Path> apply(
      CheckpointLayout layout, int keepLast, String run, long currentStep, OptionalLong best) {
    List<Path> deleted = new ArrayList<>();
    long oldestKept = -1;
    int kept = 0;
    try {
      for (long step : layout.publishedSteps()) {
        Path dir = layout.stepDir(step);
        if (step > currentStep || !owned(dir, step, run)) {
          continue;
        }
        boolean valid =
            ManifestCheck.check(dir, step, CheckpointLayout.Verify.SIZES).manifest().isPresent();
        if (step == currentStep || (valid && kept < keepLast)) {
          kept++;
          oldestKept = step;
        } else if (!best.equals(OptionalLong.of(step))) {
          FileTree.delete(dir);
          deleted.add(dir);
        }
      }
      for (long step : layout.partialSteps()) {
        Path dir = layout.partialDir(step);
        if (step <= currentStep && sealedBy(dir, run)) {
          FileTree.delete(dir);
          deleted.add(dir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete old checkpoints under " + layout.root(), e);
    }
    if (!deleted.isEmpty()) {
      LOG.info(
          "deleted {} old checkpoint folders of this run, oldest kept step {}",
          deleted.size(),
          oldestKept);
    }
    return deleted;
  }

  private static boolean owned(Path dir, long step, String run) {
    Optional<CheckpointManifest> manifest = ManifestCheck.read(dir, step).manifest();
    return manifest.isPresent() && manifest.get().writtenBy(run);
  }

  /** Whether a rank's seal in a partial folder names {@code run}. */
  private static boolean sealedBy(Path partial, String run) throws IOException {
    List<Path> seals;
    try (Stream<Path> entries = Files.list(partial)) {
      seals = entries.filter(e -> RankSeal.isSeal(e.getFileName().toString())).toList();
    }
    for (Path seal : seals) {
      String name = seal.getFileName().toString();
      int rank =
          CheckpointLayout.rankOf(name.substring(0, name.length() - RankSeal.SUFFIX.length()));
      try {
        if (RankSeal.read(partial, rank).run().equals(run)) {
          return true;
        }
      } catch (IllegalStateException unreadable) {
        // A seal cut short by a crash says nothing about whose folder this is.
      }
    }
    return false;
  }
}
