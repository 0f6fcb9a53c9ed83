package ai.llep.trainer.checkpoint;

import ai.llep.trainer.checkpoint.CheckpointManifest.FileEntry;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One rank's part of a manifest: the files it wrote into its folder of a partial step, with their
 * sizes and SHA-256, hashed by that rank right after writing them. Every rank hashes its own files
 * at once, so publishing a large checkpoint costs each rank the time to hash its own share, and
 * rank 0 only merges the parts. Stored next to the rank's folder as {@code rank-0000r.sealed}.
 *
 * @param run the training run that writes the step
 * @param files paths relative to the step folder ({@code rank-0000r/...})
 */
record RankSeal(String run, int rank, List<FileEntry> files) {
  static final String SUFFIX = ".sealed";

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  RankSeal {
    Objects.requireNonNull(run, "run");
    files = List.copyOf(Objects.requireNonNull(files, "files"));
  }

  /** Hashes every file under {@code rankDir}, a folder of {@code partial}. */
  static RankSeal of(String run, int rank, Path partial, Path rankDir) throws IOException {
    List<FileEntry> files = new ArrayList<>();
    for (Path relative : FileTree.files(rankDir)) {
      Path file = rankDir.resolve(relative);
      files.add(
          new FileEntry(
              FileTree.portable(partial.relativize(file)),
              Files.size(file),
              FileDigest.sha256(file)));
    }
    return new RankSeal(run, rank, files);
  }

  static Path file(Path partial, int rank) {
    return partial.resolve(CheckpointLayout.rankFolderName(rank) + SUFFIX);
  }

  void write(Path partial) {
    AtomicWrite.writeString(file(partial, rank), GSON.toJson(this) + "\n");
  }

  /**
   * Reads rank {@code rank}'s seal of {@code partial}.
   *
   * @throws IllegalStateException naming the rank when it is missing or unreadable
   */
  static RankSeal read(Path partial, int rank) {
    Path file = file(partial, rank);
    RankSeal seal;
    try {
      seal = GSON.fromJson(Files.readString(file), RankSeal.class);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException(
          "rank "
              + rank
              + " did not seal its files in "
              + partial
              + ": did every rank write its files before the barrier?");
    } catch (IOException | RuntimeException e) {
      // Gson reports a record whose constructor rejected the values as a plain RuntimeException.
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (seal == null || seal.rank() != rank) {
      throw new IllegalStateException(file + " is not rank " + rank + "'s seal");
    }
    return seal;
  }

  /** Whether a path is a seal of some rank (by name). */
  static boolean isSeal(String name) {
    return name.startsWith("rank-") && name.endsWith(SUFFIX);
  }
}
