package ai.llep.trainer.tracking;

import java.util.Objects;

/**
 * A run as its store knows it.
 *
 * @param experimentId the id of the experiment holding the run
 * @param runId the run's id (32 hexadecimal digits)
 * @param artifactUri where the run's artifacts live, as the store reports it
 */
public record RunRef(String experimentId, String runId, String artifactUri) {
  public RunRef {
    Objects.requireNonNull(experimentId, "experimentId");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(artifactUri, "artifactUri");
  }
}
