package ai.llep.trainer.checkpoint;

import ai.llep.trainer.checkpoint.CheckpointManifest.FileEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The checkpoint folders under one root and the protocol that publishes them (see the package
 * documentation). Every rank uses the same root; only rank 0 calls {@link #commit} and {@link
 * #retain}. The caller runs the barrier between the ranks' writes and the commit.
 */
public final class CheckpointLayout {
  /** The marker file, holding the manifest, whose presence makes a step folder complete. */
  public static final String COMPLETE = "COMPLETE";

  static final String PARTIAL_SUFFIX = ".partial";

  private static final Logger LOG = LogManager.getLogger(CheckpointLayout.class);
  private static final Pattern STEP_FOLDER = Pattern.compile("step-(\\d{8,18})");
  private static final Pattern PARTIAL_FOLDER = Pattern.compile("step-(\\d{8,18})\\.partial");

  /** How much of a checkpoint's files {@link #latest(Verify)} reads to check them. */
  public enum Verify {
    /** Sizes only: cheap, catches missing and truncated files. */
    SIZES,
    /** Sizes and SHA-256 of every byte: reads the whole checkpoint. */
    CONTENTS
  }

  private final Path root;

  public CheckpointLayout(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** The published folder of a step, {@code step-00000042}. */
  public Path stepDir(long step) {
    return root.resolve(stepFolderName(step));
  }

  /** The folder the ranks write a step into before it is published. */
  public Path partialDir(long step) {
    return root.resolve(stepFolderName(step) + PARTIAL_SUFFIX);
  }

  /** One rank's folder inside the partial folder of a step. */
  public Path rankDir(long step, int rank) {
    return partialDir(step).resolve(rankFolderName(rank));
  }

  /**
   * Creates an empty folder for one rank's files of a step and returns it. Files a crashed earlier
   * attempt at the same step left there are deleted first.
   */
  public Path prepareRank(long step, int rank) {
    Path dir = rankDir(step, rank);
    try {
      FileTree.delete(dir);
      Files.createDirectories(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare checkpoint folder " + dir, e);
    }
  }

  /** Flushes one rank's files of a step to disk; each rank calls it before the barrier. */
  public void syncRank(long step, int rank) {
    Path dir = rankDir(step, rank);
    try {
      FileTree.sync(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot flush checkpoint folder " + dir, e);
    }
  }

  /**
   * Publishes a step once every rank has written and flushed its files (rank 0, after the barrier):
   * writes the manifest as the {@code COMPLETE} marker and renames the partial folder to the step
   * folder in one atomic move. A step folder of the same step that fails verification (left by a
   * run that resumed from an older checkpoint) is replaced.
   *
   * @throws IllegalStateException if a rank's folder is missing, a folder of an unknown rank is
   *     present, or the step was already published
   */
  public Checkpoint commit(long step, int worldSize) {
    Path partial = partialDir(step);
    Path target = stepDir(step);
    try {
      checkPartial(partial, worldSize);
      List<FileEntry> entries = new ArrayList<>();
      for (Path relative : FileTree.files(partial)) {
        Path file = partial.resolve(relative);
        entries.add(
            new FileEntry(FileTree.portable(relative), Files.size(file), FileDigest.sha256(file)));
      }
      CheckpointManifest manifest =
          new CheckpointManifest(CheckpointManifest.FORMAT, step, worldSize, entries);
      AtomicWrite.writeString(partial.resolve(COMPLETE), manifest.toJson());
      AtomicWrite.syncDirectory(partial);
      clearStale(target, step);
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      AtomicWrite.syncDirectory(root);
      LOG.info(
          "checkpoint {}: {} files, {} bytes from {} ranks",
          target.getFileName(),
          entries.size(),
          manifest.totalBytes(),
          worldSize);
      return new Checkpoint(step, target, manifest);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish checkpoint " + target, e);
    }
  }

  private static void checkPartial(Path partial, int worldSize) throws IOException {
    if (worldSize < 1) {
      throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
    }
    if (!Files.isDirectory(partial)) {
      throw new IllegalStateException("no checkpoint folder " + partial + " to publish");
    }
    for (int rank = 0; rank < worldSize; rank++) {
      if (!Files.isDirectory(partial.resolve(rankFolderName(rank)))) {
        throw new IllegalStateException(
            "rank "
                + rank
                + " has no folder in "
                + partial
                + ": did every rank write its files before the barrier?");
      }
    }
    try (Stream<Path> entries = Files.list(partial)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        if (name.equals(COMPLETE) || name.startsWith("." + COMPLETE + ".")) {
          // A marker of an attempt that crashed before its rename; the commit writes a new one.
          Files.delete(entry);
        } else if (!name.startsWith("rank-") || rankOf(name) >= worldSize) {
          throw new IllegalStateException(
              "unexpected entry " + name + " in " + partial + " for world size " + worldSize);
        }
      }
    }
  }

  private void clearStale(Path target, long step) throws IOException {
    if (!Files.exists(target)) {
      return;
    }
    ManifestCheck.Outcome existing = ManifestCheck.check(target, step, Verify.SIZES);
    if (existing.manifest().isPresent()) {
      throw new IllegalStateException("checkpoint " + target + " is already published");
    }
    LOG.warn("replacing invalid checkpoint {} ({})", target, existing.problem());
    FileTree.delete(target);
  }

  /** The newest complete checkpoint whose files match its manifest in size and SHA-256. */
  public Optional<Checkpoint> latest() {
    return latest(Verify.CONTENTS);
  }

  /**
   * The newest complete checkpoint that passes {@code verify}. Folders still {@code .partial},
   * without a {@code COMPLETE} marker, or whose files contradict the manifest are skipped with a
   * warning, so a crash during a save resumes from the checkpoint before it.
   */
  public Optional<Checkpoint> latest(Verify verify) {
    for (long step : publishedSteps()) {
      Path dir = stepDir(step);
      ManifestCheck.Outcome outcome = ManifestCheck.check(dir, step, verify);
      if (outcome.manifest().isPresent()) {
        return Optional.of(new Checkpoint(step, dir, outcome.manifest().get()));
      }
      LOG.warn("skipping checkpoint {}: {}", dir.getFileName(), outcome.problem());
    }
    return Optional.empty();
  }

  /**
   * Keeps the newest {@code keepLast} checkpoints whose files have the sizes their manifests say
   * and deletes every published step folder older than the oldest of them, and every partial folder
   * of a step no newer than the newest kept one (left by crashed saves). Returns the deleted
   * folders.
   */
  public List<Path> retain(int keepLast) {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keep-last must be >= 1, got " + keepLast);
    }
    List<Path> deleted = new ArrayList<>();
    long newest = -1;
    long oldestKept = -1;
    int kept = 0;
    try {
      for (long step : publishedSteps()) {
        if (kept == keepLast) {
          Path dir = stepDir(step);
          FileTree.delete(dir);
          deleted.add(dir);
        } else if (ManifestCheck.check(stepDir(step), step, Verify.SIZES).manifest().isPresent()) {
          kept++;
          newest = Math.max(newest, step);
          oldestKept = step;
        }
      }
      for (long step : stepsMatching(PARTIAL_FOLDER)) {
        if (step <= newest) {
          Path dir = partialDir(step);
          FileTree.delete(dir);
          deleted.add(dir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete old checkpoints under " + root, e);
    }
    if (!deleted.isEmpty()) {
      LOG.info(
          "deleted {} old checkpoint folders, oldest kept step {}", deleted.size(), oldestKept);
    }
    return deleted;
  }

  /** Steps with a published (not partial) folder, newest first. */
  private List<Long> publishedSteps() {
    return stepsMatching(STEP_FOLDER);
  }

  private List<Long> stepsMatching(Pattern pattern) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Long> steps = new ArrayList<>();
    try (Stream<Path> entries = Files.list(root)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        Matcher matcher = pattern.matcher(entry.getFileName().toString());
        if (matcher.matches() && Files.isDirectory(entry)) {
          steps.add(Long.parseLong(matcher.group(1)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + root, e);
    }
    steps.sort(Comparator.reverseOrder());
    return steps;
  }

  static String stepFolderName(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    return String.format(Locale.ROOT, "step-%08d", step);
  }

  static String rankFolderName(int rank) {
    if (rank < 0) {
      throw new IllegalArgumentException("rank must be >= 0, got " + rank);
    }
    return String.format(Locale.ROOT, "rank-%05d", rank);
  }

  private static int rankOf(String folderName) {
    try {
      return Integer.parseInt(folderName.substring("rank-".length()));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }
}
