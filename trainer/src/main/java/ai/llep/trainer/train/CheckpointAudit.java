package ai.llep.trainer.train;

import ai.llep.models.hf.SafetensorsFile;
import ai.llep.trainer.checkpoint.Checkpoint;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.checkpoint.CheckpointManifest.FileEntry;
import ai.llep.trainer.checkpoint.StepFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * One rank's check of a checkpoint before resuming from it: the manifest, then this rank's share of
 * the files ({@link CheckpointLayout#share}): sizes, SHA-256, and in every safetensors file of the
 * share no NaN or infinite value. The ranks check their shares at the same time, so the check of a
 * large checkpoint costs each rank about its own part. NOTE: reads the share twice (hash, then
 * values), the second time mostly from the page cache.
 */
final class CheckpointAudit {
  /** What a rank reports when its share is sound; the manifest's digest follows it. */
  static final String SOUND = "ok ";

  private CheckpointAudit() {}

  /** {@link #SOUND} and the manifest's digest, or what is wrong. */
  static String check(CheckpointLayout layout, long step, int rank, int ranks) {
    StepFolder folder = layout.inspect(step, CheckpointLayout.Verify.MANIFEST);
    if (folder.checkpoint().isEmpty()) {
      return folder.problem();
    }
    Checkpoint checkpoint = folder.checkpoint().get();
    List<FileEntry> share = CheckpointLayout.share(checkpoint.manifest(), rank, ranks);
    String problem = CheckpointLayout.verifyFiles(checkpoint, share);
    if (!problem.isEmpty()) {
      return problem;
    }
    for (FileEntry entry : share) {
      if (entry.path().endsWith(".safetensors")) {
        problem = nonFinite(checkpoint, entry);
        if (!problem.isEmpty()) {
          return problem;
        }
      }
    }
    return SOUND + checkpoint.manifest().digest();
  }

  private static String nonFinite(Checkpoint checkpoint, FileEntry entry) {
    try (SafetensorsFile file = SafetensorsFile.open(checkpoint.dir().resolve(entry.path()))) {
      for (String name : file.names()) {
        long count = file.countNonFinite(name);
        if (count > 0) {
          return entry.path()
              + ": tensor "
              + name
              + " holds "
              + count
              + " non-finite (NaN or infinite) values";
        }
      }
      return "";
    } catch (IOException | UncheckedIOException e) {
      return "cannot read " + entry.path() + ": " + e.getMessage();
    }
  }
}
