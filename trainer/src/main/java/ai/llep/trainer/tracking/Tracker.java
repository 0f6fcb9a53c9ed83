package ai.llep.trainer.tracking;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One run in an experiment tracker. A tracker holds at most one run: {@link #startRun} (or {@link
 * #reopenRun}) first, then any number of log calls, then {@link #finish}. {@link #close()} ends a
 * run that was not finished as {@link RunStatus#FAILED} (the way out of a try-with-resources block
 * by an exception) and releases the tracker.
 *
 * <p>Keys of parameters, metrics and tags follow MLflow's rules: letters, digits, {@code _ - . /}
 * and spaces, at most 250 characters, and a {@code /} makes a folder, so no empty, {@code .} or
 * {@code ..} segment. A key that breaks them fails the call with {@link IllegalArgumentException}.
 */
public interface Tracker extends AutoCloseable {
  /**
   * Starts a run named {@code runName} in the experiment named {@code experimentName}, creating the
   * experiment if there is none of that name.
   */
  RunRef startRun(String experimentName, String runName, Map<String, String> tags);

  /**
   * Opens the existing run {@code runId} to log into it again, as a resumed training run does, and
   * sets it RUNNING. A run still RUNNING (its process died without ending it) is first ended as
   * FAILED, at the time it last logged a metric, so the store keeps a record of that attempt. Empty
   * if the store has no active run of that id.
   */
  Optional<ReopenedRun> reopenRun(String runId);

  /** Records parameters; logging a key again with another value is an error, as in MLflow. */
  void logParams(Map<String, String> params);

  /** Records metric values at {@code step}, stamped with the current time. */
  void logMetrics(long step, Map<String, Double> metrics);

  /** Sets a tag of the run, replacing an earlier value. */
  void setTag(String key, String value);

  /** Stores {@code content} as the artifact {@code name} (a relative path, {@code /}-separated). */
  void logArtifact(String name, byte[] content);

  /** Stores a file, or a folder with everything below it, as the artifact {@code name}. */
  void logArtifact(String name, Path source);

  /** Ends the run with a terminal status: FINISHED, FAILED or KILLED. */
  void finish(RunStatus status);

  @Override
  void close();
}
