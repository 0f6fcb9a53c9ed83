package ai.llep.trainer.tracking;

/** A record waiting in a {@link RestTracker}'s buffer to be sent. */
sealed interface Pending {
  /** One metric value. */
  record Metric(String key, double value, long timestamp, long step) implements Pending {}

  /** One parameter. */
  record Param(String key, String value) implements Pending {}

  /** One tag. */
  record Tag(String key, String value) implements Pending {}

  /** One artifact file. */
  record Artifact(String path, byte[] content) implements Pending {}

  /** The end of the run; always the last record. */
  record Finish(RunStatus status, long endTime) implements Pending {}
}
