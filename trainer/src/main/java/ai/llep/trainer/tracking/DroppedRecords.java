package ai.llep.trainer.tracking;

/**
 * What a {@link RestTracker} could not deliver: records dropped because the buffer was full, the
 * server rejected them, or the final flush ran out of time.
 */
public record DroppedRecords(long metrics, long params, long tags, long artifacts, long finish) {
  public static final DroppedRecords NONE = new DroppedRecords(0, 0, 0, 0, 0);

  public long total() {
    return metrics + params + tags + artifacts + finish;
  }

  DroppedRecords plus(Pending record) {
    return switch (record) {
      case Pending.Metric m -> new DroppedRecords(metrics + 1, params, tags, artifacts, finish);
      case Pending.Param p -> new DroppedRecords(metrics, params + 1, tags, artifacts, finish);
      case Pending.Tag t -> new DroppedRecords(metrics, params, tags + 1, artifacts, finish);
      case Pending.Artifact a -> new DroppedRecords(metrics, params, tags, artifacts + 1, finish);
      case Pending.Finish f -> new DroppedRecords(metrics, params, tags, artifacts, finish + 1);
    };
  }

  @Override
  public String toString() {
    return metrics
        + " metric values, "
        + params
        + " params, "
        + tags
        + " tags, "
        + artifacts
        + " artifacts"
        + (finish > 0 ? " and the run's final status" : "");
  }
}
