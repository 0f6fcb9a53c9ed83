package ai.llep.trainer.checkpoint;

import java.nio.file.Path;
import java.util.Objects;

/** A complete, verified checkpoint: its step, its folder and its manifest. */
public record Checkpoint(long step, Path dir, CheckpointManifest manifest) {
  public Checkpoint {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(manifest, "manifest");
    if (manifest.step() != step) {
      throw new IllegalArgumentException(
          "manifest step " + manifest.step() + " does not match checkpoint step " + step);
    }
  }

  /** The folder holding one rank's files. */
  public Path rankDir(int rank) {
    return dir.resolve(CheckpointLayout.rankFolderName(rank));
  }
}
