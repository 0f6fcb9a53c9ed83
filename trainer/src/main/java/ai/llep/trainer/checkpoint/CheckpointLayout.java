package ai.llep.trainer.checkpoint;

import ai.llep.trainer.checkpoint.CheckpointManifest.FileEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The checkpoint folders under one root and the protocol that publishes them (see the package
 * documentation). Every rank uses the same root; only rank 0 calls {@link #commit} and {@link
 * #retain}. The caller runs the barrier between the ranks' seals and the commit.
 */
public final class CheckpointLayout {
  /** The marker file, holding the manifest, whose presence makes a step folder complete. */
  public static final String COMPLETE = "COMPLETE";

  static final String PARTIAL_SUFFIX = ".partial";
  static final String REPLACED_SUFFIX = ".replaced";

  private static final Logger LOG = LogManager.getLogger(CheckpointLayout.class);
  private static final Pattern STEP_FOLDER = Pattern.compile("step-(\\d{8,18})");
  private static final Pattern PARTIAL_FOLDER = Pattern.compile("step-(\\d{8,18})\\.partial");
  private static final Pattern ANY_STEP_ENTRY = Pattern.compile("step-\\d{8,18}(\\..*)?");

  /** How much of a checkpoint's files {@link #latest(Verify)} reads to check them. */
  public enum Verify {
    /** The manifest alone: present, well-formed, of the folder's step. */
    MANIFEST,
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

  /**
   * Flushes one rank's files of a step to disk and seals them: hashes every file (SHA-256) and
   * records them with their sizes next to the rank's folder. Each rank calls it before the barrier,
   * so the ranks hash their own files at the same time.
   */
  public void sealRank(long step, int rank, String run) {
    Path dir = rankDir(step, rank);
    try {
      FileTree.sync(dir);
      RankSeal.of(run, rank, partialDir(step), dir).write(partialDir(step));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot seal checkpoint folder " + dir, e);
    }
  }

  /**
   * Publishes a step once every rank has written and sealed its files (rank 0, after the barrier):
   * merges the ranks' seals into the manifest, writes it as the {@code COMPLETE} marker and renames
   * the partial folder to the step folder in one atomic move. A step folder already there is
   * replaced when {@code replaceExisting} (the caller rejected it, e.g. corrupt or non-finite at
   * resume) or when its files contradict its manifest's sizes: it is renamed aside, the new folder
   * renamed in, and only then the old one deleted, so the step is never half-deleted.
   *
   * @param run the training run publishing the step, recorded in the manifest
   * @throws IllegalStateException if a rank's folder or seal is missing or contradicts its files, a
   *     folder of an unknown rank is present, or the step was already published
   */
  public Checkpoint commit(long step, int worldSize, String run, boolean replaceExisting) {
    return new Publication(this, step, worldSize, run).publish(replaceExisting);
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
      StepFolder folder = inspect(step, verify);
      if (folder.checkpoint().isPresent()) {
        return folder.checkpoint();
      }
      LOG.warn("skipping checkpoint {}: {}", folder.dir().getFileName(), folder.problem());
    }
    return Optional.empty();
  }

  /** The published folder of {@code step}, checked as far as {@code verify} says. */
  public StepFolder inspect(long step, Verify verify) {
    Path dir = stepDir(step);
    ManifestCheck.Outcome outcome = ManifestCheck.check(dir, step, verify);
    return new StepFolder(
        step, dir, outcome.manifest().map(m -> new Checkpoint(step, dir, m)), outcome.problem());
  }

  /**
   * The first problem with {@code entries} (sizes and SHA-256) of a checkpoint's files, or an empty
   * string when they match.
   */
  public static String verifyFiles(Checkpoint checkpoint, List<FileEntry> entries) {
    return ManifestCheck.checkFiles(checkpoint.dir(), entries, Verify.CONTENTS);
  }

  /**
   * Rank {@code rank}'s share of a manifest's files when {@code ranks} ranks verify it together:
   * the largest files first, each to the rank with the fewest bytes so far (ties to the lowest
   * rank), so that each rank reads about as much, whatever world size wrote the checkpoint.
   */
  public static List<FileEntry> share(CheckpointManifest manifest, int rank, int ranks) {
    if (rank < 0 || rank >= ranks) {
      throw new IllegalArgumentException("rank " + rank + " is outside [0, " + ranks + ")");
    }
    List<FileEntry> bySize = new ArrayList<>(manifest.files());
    bySize.sort(
        Comparator.comparingLong(FileEntry::size).reversed().thenComparing(FileEntry::path));
    long[] bytes = new long[ranks];
    Set<String> mine = new HashSet<>();
    for (FileEntry entry : bySize) {
      int least = 0;
      for (int r = 1; r < ranks; r++) {
        if (bytes[r] < bytes[least]) {
          least = r;
        }
      }
      bytes[least] += entry.size();
      if (least == rank) {
        mine.add(entry.path());
      }
    }
    return manifest.files().stream().filter(e -> mine.contains(e.path())).toList();
  }

  /**
   * Applies {@code checkpoint.keep-last} after {@code run} published {@code currentStep}: among the
   * checkpoints {@code run} wrote at steps up to {@code currentStep} whose files have their
   * manifest's sizes, keeps the newest {@code keepLast} (always {@code currentStep} itself) and
   * deletes the older ones of {@code run}, and the partial folders {@code run} left at steps up to
   * {@code currentStep}. Folders of other runs, or that cannot be told apart, are never touched,
   * nor any folder of a step after {@code currentStep}. Returns the deleted folders.
   */
  public List<Path> retain(int keepLast, String run, long currentStep) {
    return retain(keepLast, run, currentStep, OptionalLong.empty());
  }

  /**
   * {@link #retain(int, String, long)}, keeping also the folder of step {@code best} (the lowest
   * eval loss): beyond the {@code keepLast} when it is not among them.
   */
  public List<Path> retain(int keepLast, String run, long currentStep, OptionalLong best) {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keep-last must be >= 1, got " + keepLast);
    }
    return Retention.apply(this, keepLast, run, currentStep, best);
  }

  /**
   * Points the link {@code best} of the root at step {@code step}'s published folder, replacing the
   * link atomically ({@link BestLink}).
   *
   * @throws IllegalStateException if {@code step} has no published folder
   */
  public void pointBest(long step) {
    BestLink.point(this, step);
  }

  /** The step the link {@code best} names, if there is one. */
  public OptionalLong bestStep() {
    return BestLink.step(this);
  }

  /**
   * Every entry of the root that belongs to a checkpoint: published, partial, or set aside during a
   * replacement ({@code step-*}), and the link {@code best}.
   */
  public List<Path> existing() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries
          .filter(
              e -> ANY_STEP_ENTRY.matcher(e.getFileName().toString()).matches() || BestLink.is(e))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + root, e);
    }
  }

  /**
   * Moves every {@link #existing} entry into a new folder {@code moved-aside-<label>} of the root
   * (renames, so nothing is copied) and returns that folder.
   */
  public Path moveAside(String label) {
    Path aside = root.resolve("moved-aside-" + label);
    try {
      Files.createDirectory(aside);
      for (Path entry : existing()) {
        Files.move(entry, aside.resolve(entry.getFileName()), StandardCopyOption.ATOMIC_MOVE);
      }
      AtomicWrite.syncDirectory(root);
      return aside;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the checkpoints in " + root + " aside", e);
    }
  }

  /** Deletes every {@link #existing} entry. */
  public void deleteExisting() {
    try {
      for (Path entry : existing()) {
        if (BestLink.is(entry)) {
          // The link itself; following it would delete the folder it names.
          Files.delete(entry);
        } else if (Files.isDirectory(entry)) {
          FileTree.delete(entry);
        } else {
          Files.deleteIfExists(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the checkpoints in " + root, e);
    }
  }

  /** Steps with a published (not partial) folder, newest first. */
  public List<Long> publishedSteps() {
    return stepsMatching(STEP_FOLDER);
  }

  /** Steps with a partial folder, newest first. */
  List<Long> partialSteps() {
    return stepsMatching(PARTIAL_FOLDER);
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

  static int rankOf(String folderName) {
    try {
      return Integer.parseInt(folderName.substring("rank-".length()));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }
}
