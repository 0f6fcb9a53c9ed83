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
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Publishing one sealed partial step folder: {@link CheckpointLayout#commit}. */
final class Publication {
  private static final Logger LOG = LogManager.getLogger(Publication.class);

  private final CheckpointLayout layout;
  private final long step;
  private final int worldSize;
  private final String run;
  private final Path partial;
  private final Path target;

  Publication(CheckpointLayout layout, long step, int worldSize, String run) {
    if (worldSize < 1) {
      throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
    }
    this.layout = layout;
    this.step = step;
    this.worldSize = worldSize;
    this.run = run;
    this.partial = layout.partialDir(step);
    this.target = layout.stepDir(step);
  }

  Checkpoint publish(boolean replaceExisting) {
    try {
      checkPartial();
      boolean replace = Files.exists(target) && mayReplace(replaceExisting);
      List<FileEntry> entries = new ArrayList<>();
      for (int rank = 0; rank < worldSize; rank++) {
        RankSeal seal = RankSeal.read(partial, rank);
        if (!seal.run().equals(run)) {
          throw new IllegalStateException(
              "rank " + rank + " sealed " + partial + " for run " + seal.run() + ", not " + run);
        }
        checkSealed(rank, seal);
        entries.addAll(seal.files());
      }
      entries.sort(Comparator.comparing(FileEntry::path));
      CheckpointManifest manifest =
          new CheckpointManifest(CheckpointManifest.FORMAT, step, worldSize, run, entries);
      for (int rank = 0; rank < worldSize; rank++) {
        Files.delete(RankSeal.file(partial, rank));
      }
      AtomicWrite.writeString(partial.resolve(CheckpointLayout.COMPLETE), manifest.toJson());
      AtomicWrite.syncDirectory(partial);
      rename(replace);
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

  private void checkPartial() throws IOException {
    if (!Files.isDirectory(partial)) {
      throw new IllegalStateException("no checkpoint folder " + partial + " to publish");
    }
    for (int rank = 0; rank < worldSize; rank++) {
      if (!Files.isDirectory(partial.resolve(CheckpointLayout.rankFolderName(rank)))) {
        throw new IllegalStateException(
            "rank "
                + rank
                + " has no folder in "
                + partial
                + ": did every rank write its files before the barrier?");
      }
    }
    List<Path> listed;
    try (Stream<Path> entries = Files.list(partial)) {
      // Sorted, so a rank's folder is named before its seal.
      listed = entries.sorted().toList();
    }
    for (Path entry : listed) {
      String name = entry.getFileName().toString();
      boolean sealOfARank =
          RankSeal.isSeal(name)
              && CheckpointLayout.rankOf(
                      name.substring(0, name.length() - RankSeal.SUFFIX.length()))
                  < worldSize;
      if (name.equals(CheckpointLayout.COMPLETE)
          || name.startsWith("." + CheckpointLayout.COMPLETE + ".")) {
        // A marker of an attempt that crashed before its rename; the commit writes a new one.
        Files.delete(entry);
      } else if (!sealOfARank
          && (!name.startsWith("rank-") || CheckpointLayout.rankOf(name) >= worldSize)) {
        throw new IllegalStateException(
            "unexpected entry " + name + " in " + partial + " for world size " + worldSize);
      }
    }
  }

  /** The files in a rank's folder are exactly those its seal lists, with the sizes it lists. */
  private void checkSealed(int rank, RankSeal seal) throws IOException {
    Map<String, Long> sealed = new TreeMap<>();
    seal.files().forEach(entry -> sealed.put(entry.path(), entry.size()));
    Map<String, Long> present = new TreeMap<>();
    Path rankDir = partial.resolve(CheckpointLayout.rankFolderName(rank));
    for (Path relative : FileTree.files(rankDir)) {
      Path file = rankDir.resolve(relative);
      present.put(FileTree.portable(partial.relativize(file)), Files.size(file));
    }
    if (!sealed.equals(present)) {
      throw new IllegalStateException(
          "rank "
              + rank
              + "'s files in "
              + partial
              + " changed after it sealed them: sealed "
              + sealed
              + ", present "
              + present);
    }
  }

  /**
   * Whether the folder already at {@code target} may be replaced: when the caller rejected it, or
   * when its files contradict its manifest's sizes.
   *
   * @throws IllegalStateException otherwise
   */
  private boolean mayReplace(boolean rejected) {
    if (rejected) {
      return true;
    }
    ManifestCheck.Outcome existing =
        ManifestCheck.check(target, step, CheckpointLayout.Verify.SIZES);
    if (existing.manifest().isPresent()) {
      throw new IllegalStateException("checkpoint " + target + " is already published");
    }
    LOG.warn("replacing invalid checkpoint {} ({})", target, existing.problem());
    return true;
  }

  /**
   * Renames the partial folder to the step folder. One being replaced is first renamed aside and
   * deleted only after the new one is in place.
   */
  private void rename(boolean replace) throws IOException {
    if (replace) {
      Path aside =
          layout
              .root()
              .resolve(CheckpointLayout.stepFolderName(step) + CheckpointLayout.REPLACED_SUFFIX);
      FileTree.delete(aside);
      Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      AtomicWrite.syncDirectory(layout.root());
      FileTree.delete(aside);
      return;
    }
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    AtomicWrite.syncDirectory(layout.root());
  }
}
