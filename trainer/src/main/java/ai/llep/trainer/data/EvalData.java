package ai.llep.trainer.data;

import java.util.List;

/**
 * Where the eval set comes from: {@code data.eval-files} (read as {@code data.files} are, with
 * weights and formats), or {@code data.eval-fraction} of {@code data.files} held out (never trained
 * on), or neither.
 *
 * @param files eval files; empty when the set is held out or absent
 * @param fraction the fraction of each training file's examples held out; 0 = none
 */
public record EvalData(List<DataFile> files, double fraction) {
  /** No eval set. */
  public static final EvalData NONE = new EvalData(List.of(), 0);

  public EvalData {
    files = List.copyOf(files);
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException(
          "data.eval-fraction must be in (0, 1), the share of data.files held out for evaluation"
              + " (0 = none), got "
              + fraction);
    }
    if (!files.isEmpty() && fraction > 0) {
      throw new IllegalArgumentException(
          "data.eval-files and data.eval-fraction="
              + fraction
              + " are both set: evaluate on the files (data.eval-fraction=0) or on a held-out"
              + " fraction of data.files (data.eval-files=[])");
    }
  }

  /** Whether there is an eval set. */
  public boolean present() {
    return !files.isEmpty() || fraction > 0;
  }

  /** Whether the eval set is held out of {@code data.files}. */
  public boolean heldOut() {
    return fraction > 0;
  }

  /** The config key that gave the eval set, for messages. */
  public String key() {
    return heldOut() ? "data.eval-fraction" : "data.eval-files";
  }
}
