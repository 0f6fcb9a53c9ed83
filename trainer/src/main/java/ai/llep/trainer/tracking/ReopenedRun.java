package ai.llep.trainer.tracking;

import java.util.Map;
import java.util.Objects;

/**
 * A run that a tracker opened again to log into it (a resumed training run), as it was found.
 *
 * @param run the run
 * @param previousStatus its status before it was reopened; {@link RunStatus#RUNNING} means the
 *     process that last logged to it died without ending it (the tracker has recorded that attempt
 *     as failed)
 * @param params the parameters already logged, which MLflow does not let a run change
 * @param tags the tags already set
 */
public record ReopenedRun(
    RunRef run, RunStatus previousStatus, Map<String, String> params, Map<String, String> tags) {
  public ReopenedRun {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(previousStatus, "previousStatus");
    params = Map.copyOf(params);
    tags = Map.copyOf(tags);
  }
}
