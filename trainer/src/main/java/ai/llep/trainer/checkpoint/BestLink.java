package ai.llep.trainer.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code best} in the checkpoint root: a symbolic link to the step folder with the lowest eval
 * loss, relative ({@code best -> step-00000040}) so that the root can move. It is replaced
 * atomically: the new link is made under a temporary name and renamed over the old one, so a reader
 * finds the old link or the new one, never none. Retention never deletes the folder it names
 * ({@link CheckpointLayout#retain(int, String, long, OptionalLong)}).
 */
final class BestLink {
  static final String NAME = "best";

  private static final Logger LOG = LogManager.getLogger(BestLink.class);
  private static final Pattern TARGET = Pattern.compile("step-(\\d{8,18})");

  private BestLink() {}

  /**
   * Points the link at {@code step}'s published folder. Where the file system has no symbolic
   * links, warns and leaves it (the step is in every checkpoint's trainer state all the same).
   *
   * @throws IllegalStateException if {@code step} has no published folder
   */
  static void point(CheckpointLayout layout, long step) {
    Path target = layout.stepDir(step);
    if (!Files.isDirectory(target)) {
      throw new IllegalStateException(
          "no checkpoint " + target + " for " + layout.root().resolve(NAME) + " to name");
    }
    if (step(layout).equals(OptionalLong.of(step))) {
      return;
    }
    Path link = layout.root().resolve(NAME);
    Path temp = layout.root().resolve("." + NAME + ".tmp");
    try {
      Files.deleteIfExists(temp);
      Files.createSymbolicLink(temp, target.getFileName());
      Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      AtomicWrite.syncDirectory(layout.root());
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn(
          "cannot make the link {} -> {} ({}); the best step, {}, is recorded in the checkpoints'"
              + " trainer-state.json",
          link,
          target.getFileName(),
          e.getMessage(),
          step);
    }
  }

  /** The step the link names, if it is a link to a step folder's name (the folder may be gone). */
  static OptionalLong step(CheckpointLayout layout) {
    Path link = layout.root().resolve(NAME);
    if (!Files.isSymbolicLink(link)) {
      return OptionalLong.empty();
    }
    try {
      Matcher m = TARGET.matcher(Files.readSymbolicLink(link).toString());
      return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /** Whether {@code entry} is the link (which may dangle), not a real folder. */
  static boolean is(Path entry) {
    return entry.getFileName().toString().equals(NAME)
        && Files.isSymbolicLink(entry)
        && !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS);
  }
}
