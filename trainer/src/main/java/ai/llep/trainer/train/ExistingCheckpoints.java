package ai.llep.trainer.train;

import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.config.ConfigError;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code checkpoint.existing}: what becomes of checkpoints in {@code checkpoint.dir} that a run
 * will not continue from. A run that started among them would waste its training: its saves would
 * mix with them, and {@code train.resume=latest} could later pick theirs. So by default it stops
 * before the model loads; {@code move-aside} and {@code delete} clear the folder first.
 */
final class ExistingCheckpoints {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
  private static final int LISTED = 3;

  private ExistingCheckpoints() {}

  /**
   * Rank 0, before training: applies {@code options.existing()} to every checkpoint entry of the
   * folder (nothing happens when there is none).
   *
   * @param unusable why each checkpoint was rejected, when a resume found none usable (empty for a
   *     run that does not resume)
   * @throws ConfigError with {@code checkpoint.existing=error}, naming the folder, what it holds
   *     and the ways out
   */
  static void clear(
      CheckpointLayout layout,
      CheckpointOptions options,
      List<String> unusable,
      Consumer<String> say) {
    List<Path> existing = layout.existing();
    if (existing.isEmpty()) {
      return;
    }
    switch (options.existing()) {
      case ERROR -> throw new ConfigError(refusal(layout, existing, unusable));
      case MOVE_ASIDE -> {
        Path aside = layout.moveAside(STAMP.format(ZonedDateTime.now()));
        say.accept(
            "checkpoint.existing=move-aside: moved "
                + existing.size()
                + " checkpoint folders of "
                + layout.root()
                + " into "
                + aside);
      }
      case DELETE -> {
        layout.deleteExisting();
        say.accept(
            "checkpoint.existing=delete: deleted "
                + existing.size()
                + " checkpoint folders of "
                + layout.root());
      }
    }
  }

  private static String refusal(
      CheckpointLayout layout, List<Path> existing, List<String> unusable) {
    String ways =
        "give another checkpoint.dir, or set checkpoint.existing=move-aside (into "
            + layout.root().resolve("moved-aside-<time>")
            + ") or checkpoint.existing=delete";
    if (!unusable.isEmpty()) {
      return "train.resume=latest: no usable checkpoint in "
          + layout.root()
          + ": "
          + String.join("; ", unusable)
          + ". Nothing was deleted. Repair them, "
          + ways
          + " to start fresh there";
    }
    List<String> names = existing.stream().map(p -> p.getFileName().toString()).toList().reversed();
    String listed = String.join(", ", names.subList(0, Math.min(LISTED, names.size())));
    if (names.size() > LISTED) {
      listed += " and " + (names.size() - LISTED) + " more";
    }
    return "checkpoint.dir="
        + layout.root()
        + " already holds checkpoints ("
        + listed
        + ") that this run would not continue from. Continue the run that wrote them with"
        + " train.resume=latest, "
        + ways;
  }
}
