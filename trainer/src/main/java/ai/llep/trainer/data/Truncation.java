package ai.llep.trainer.data;

/** What happens to an example longer than {@code data.max-length} ({@code data.truncation}). */
public enum Truncation {
  /** Keep its first {@code max-length} tokens. */
  TRUNCATE,
  /** Leave it out of the training data. */
  DROP,
  /** Stop before training, naming the example's file and line and its length. */
  ERROR
}
