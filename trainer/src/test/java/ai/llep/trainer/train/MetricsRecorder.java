package ai.llep.trainer.train;

import ai.llep.trainer.report.ExpertLoads;
import ai.llep.trainer.tracking.ReopenedRun;
import ai.llep.trainer.tracking.RunRef;
import ai.llep.trainer.tracking.RunStatus;
import ai.llep.trainer.tracking.Tracker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A tracker that keeps each step's metrics and expert loads in memory, for tests that read what
 * train tracked.
 */
final class MetricsRecorder implements Tracker {
  private final Map<Long, Map<String, Double>> steps = new TreeMap<>();
  private final Map<Long, ExpertLoads.Step> expertLoads = new TreeMap<>();
  private RunStatus status;

  /** Metrics by step, in step order. */
  Map<Long, Map<String, Double>> steps() {
    return steps;
  }

  /** The expert loads of each step, read from the artifacts train stored. */
  Map<Long, ExpertLoads.Step> expertLoads() {
    return expertLoads;
  }

  RunStatus status() {
    return status;
  }

  @Override
  public RunRef startRun(String experimentName, String runName, Map<String, String> tags) {
    return new RunRef("0", "0".repeat(32), "memory:");
  }

  @Override
  public Optional<ReopenedRun> reopenRun(String runId) {
    return Optional.empty();
  }

  @Override
  public void logParams(Map<String, String> params) {}

  @Override
  public synchronized void logMetrics(long step, Map<String, Double> metrics) {
    steps.computeIfAbsent(step, s -> new TreeMap<>()).putAll(metrics);
  }

  @Override
  public void setTag(String key, String value) {}

  @Override
  public synchronized void logArtifact(String name, byte[] content) {
    if (!name.startsWith(ExpertLoads.DIR + "/")) {
      return;
    }
    String[] lines = new String(content, StandardCharsets.UTF_8).split("\n");
    for (int i = 0; i < lines.length; i++) {
      ExpertLoads.Step step = ExpertLoads.parse(lines[i], name + ":" + (i + 1));
      expertLoads.put(step.step(), step);
    }
  }

  @Override
  public void logArtifact(String name, Path source) {}

  @Override
  public void finish(RunStatus finalStatus) {
    status = finalStatus;
  }

  @Override
  public void close() {}
}
