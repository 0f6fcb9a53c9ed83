package ai.llep.trainer.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A tracker that writes MLflow's file-store layout under a root folder, readable by {@code mlflow
 * ui --backend-store-uri <root>}:
 *
 * <pre>
 * root/&lt;experiment-id&gt;/meta.yaml
 * root/&lt;experiment-id&gt;/&lt;run-id&gt;/meta.yaml
 * root/&lt;experiment-id&gt;/&lt;run-id&gt;/params/&lt;key&gt;     the value, no newline
 * root/&lt;experiment-id&gt;/&lt;run-id&gt;/metrics/&lt;key&gt;    one "timestamp_ms value step" line per value
 * root/&lt;experiment-id&gt;/&lt;run-id&gt;/tags/&lt;key&gt;       the value, no newline
 * root/&lt;experiment-id&gt;/&lt;run-id&gt;/artifacts/
 * </pre>
 *
 * A key with {@code /} makes sub-folders, as in MLflow. Values are written as Python writes them.
 * Calls are synchronous and thread-safe; a failing disk throws {@link UncheckedIOException}.
 */
public final class FileStoreTracker implements Tracker {
  static final String RUN_NAME_TAG = "mlflow.runName";
  static final String USER_TAG = "mlflow.user";
  // MLflow's SourceType.LOCAL, which the file store records for every run.
  private static final int SOURCE_TYPE_LOCAL = 4;
  private static final Logger LOG = LogManager.getLogger(FileStoreTracker.class);

  private final Path root;
  private final LongSupplier clock;
  private final String user;
  private final FileStoreExperiments experiments;
  private final MetricAppender metricFiles = new MetricAppender();
  private Path runDir;
  private Path artifactsDir;
  private Map<String, Object> runMeta;
  private boolean finished;

  /** A tracker writing under {@code root}, created with the experiment "Default" if missing. */
  public FileStoreTracker(Path root) {
    this(root, System::currentTimeMillis, System.getProperty("user.name", ""));
  }

  FileStoreTracker(Path root, LongSupplier clock, String user) {
    this.root = root.toAbsolutePath().normalize();
    this.clock = clock;
    this.user = user;
    this.experiments = new FileStoreExperiments(this.root, clock);
  }

  public Path root() {
    return root;
  }

  /** The folder of the run, once started. */
  public synchronized Path runDir() {
    requireStarted();
    return runDir;
  }

  @Override
  public synchronized RunRef startRun(
      String experimentName, String runName, Map<String, String> tags) {
    if (runMeta != null) {
      throw new IllegalStateException("this tracker already holds run " + runMeta.get("run_id"));
    }
    MlflowNames.checkRunName(runName);
    tags.keySet().forEach(MlflowNames::checkTagKey);
    FileStoreExperiments.Experiment experiment = experiments.getOrCreate(experimentName);
    String runId = UUID.randomUUID().toString().replace("-", "");
    String artifactUri = experiment.artifactLocation() + "/" + runId + "/artifacts";
    runDir = root.resolve(experiment.id()).resolve(runId);
    artifactsDir = localArtifacts(artifactUri, runDir);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("artifact_uri", artifactUri);
    meta.put("end_time", null);
    meta.put("entry_point_name", "");
    meta.put("experiment_id", experiment.id());
    meta.put("lifecycle_stage", "active");
    meta.put("run_id", runId);
    meta.put("run_name", runName);
    meta.put("run_uuid", runId);
    meta.put("source_name", "");
    meta.put("source_type", SOURCE_TYPE_LOCAL);
    meta.put("source_version", "");
    meta.put("start_time", clock.getAsLong());
    meta.put("status", RunStatus.RUNNING.code());
    meta.put("tags", List.of());
    meta.put("user_id", user);
    runMeta = meta;
    try {
      Files.createDirectories(runDir.resolve("metrics"));
      Files.createDirectories(runDir.resolve("params"));
      Files.createDirectories(runDir.resolve("artifacts"));
      Map<String, Object> created = new HashMap<>(meta);
      // MLflow records deleted_time only when the run is created (and when it is deleted).
      created.put("deleted_time", null);
      writeText(runDir.resolve(FileStoreExperiments.META), MetaYaml.render(created));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run folder " + runDir, e);
    }
    Map<String, String> allTags = new TreeMap<>(tags);
    allTags.put(RUN_NAME_TAG, runName);
    allTags.putIfAbsent(USER_TAG, user);
    allTags.forEach(this::writeTag);
    LOG.info("tracking run {} ({}) in {}", runName, runId, runDir);
    return new RunRef(experiment.id(), runId, artifactUri);
  }

  @Override
  public synchronized Optional<ReopenedRun> reopenRun(String runId) {
    if (runMeta != null) {
      throw new IllegalStateException("this tracker already holds run " + runMeta.get("run_id"));
    }
    Optional<Path> found = FileStoreRuns.find(root, runId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    runDir = found.get();
    runMeta = FileStoreRuns.meta(runDir);
    String artifactUri = String.valueOf(runMeta.get("artifact_uri"));
    artifactsDir = localArtifacts(artifactUri, runDir);
    RunStatus previous = RunStatus.ofCode(((Long) runMeta.get("status")).intValue());
    if (previous == RunStatus.RUNNING) {
      runMeta.put("status", RunStatus.FAILED.code());
      runMeta.put("end_time", FileStoreRuns.lastMetricTime(runDir).orElseGet(clock::getAsLong));
      writeRunMeta();
    }
    runMeta.put("status", RunStatus.RUNNING.code());
    runMeta.put("end_time", null);
    writeRunMeta();
    LOG.info("tracking run {} ({}) in {}, reopened", runMeta.get("run_name"), runId, runDir);
    return Optional.of(
        new ReopenedRun(
            new RunRef(runDir.getParent().getFileName().toString(), runId, artifactUri),
            previous,
            FileStoreRuns.values(runDir.resolve("params")),
            FileStoreRuns.values(runDir.resolve("tags"))));
  }

  private static Path localArtifacts(String artifactUri, Path runDir) {
    if (artifactUri.startsWith("file:")) {
      return Path.of(URI.create(artifactUri));
    }
    LOG.warn(
        "artifacts of this run belong at {}, which is not a local folder; writing them to {}",
        artifactUri,
        runDir.resolve("artifacts"));
    return runDir.resolve("artifacts");
  }

  @Override
  public synchronized void logParams(Map<String, String> params) {
    requireRunning();
    Map<String, String> values = new TreeMap<>();
    params.forEach(
        (key, value) -> {
          MlflowNames.checkParamKey(key);
          values.put(key, truncated("param", key, value, MlflowNames.MAX_PARAM_VALUE_LENGTH));
        });
    for (Map.Entry<String, String> param : values.entrySet()) {
      Path file = runDir.resolve("params").resolve(param.getKey());
      if (Files.exists(file)) {
        String existing = readText(file);
        if (!existing.equals(param.getValue())) {
          throw new IllegalArgumentException(
              "Changing param values is not allowed. Param with key='"
                  + param.getKey()
                  + "' was already logged with value='"
                  + existing
                  + "' for run ID='"
                  + runMeta.get("run_id")
                  + "'. Attempted logging new value '"
                  + param.getValue()
                  + "'.");
        }
      }
    }
    values.forEach((key, value) -> writeText(runDir.resolve("params").resolve(key), value));
  }

  @Override
  public synchronized void logMetrics(long step, Map<String, Double> metrics) {
    requireRunning();
    Map<String, Double> sorted = new TreeMap<>();
    metrics.forEach(
        (key, value) -> {
          MlflowNames.checkMetricKey(key);
          sorted.put(key, Objects.requireNonNull(value, () -> "metric " + key + " has no value"));
        });
    long timestamp = clock.getAsLong();
    for (Map.Entry<String, Double> metric : sorted.entrySet()) {
      Path file = runDir.resolve("metrics").resolve(metric.getKey());
      metricFiles.append(
          file, timestamp + " " + PythonFloat.repr(metric.getValue()) + " " + step + "\n");
    }
    metricFiles.flush();
  }

  @Override
  public synchronized void setTag(String key, String value) {
    requireRunning();
    MlflowNames.checkTagKey(key);
    writeTag(key, value);
    if (key.equals(RUN_NAME_TAG)) {
      runMeta.put("run_name", value);
      writeRunMeta();
    }
  }

  private void writeTag(String key, String value) {
    writeText(
        runDir.resolve("tags").resolve(key),
        truncated("tag", key, value, MlflowNames.MAX_TAG_VALUE_LENGTH));
  }

  @Override
  public synchronized void logArtifact(String name, byte[] content) {
    requireRunning();
    MlflowNames.checkArtifactPath(name);
    Path target = artifactsDir.resolve(name);
    try {
      Files.createDirectories(target.getParent());
      Files.write(target, content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write artifact " + target, e);
    }
  }

  @Override
  public synchronized void logArtifact(String name, Path source) {
    requireRunning();
    MlflowNames.checkArtifactPath(name);
    Path target = artifactsDir.resolve(name);
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path file : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(file)) {
          Path destination = target;
          if (!file.equals(source)) {
            destination = target.resolve(source.relativize(file).toString());
          }
          Files.createDirectories(destination.getParent());
          Files.copy(file, destination, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy artifact " + source + " to " + target, e);
    }
  }

  @Override
  public synchronized void finish(RunStatus status) {
    requireRunning();
    if (!status.terminal()) {
      throw new IllegalArgumentException(
          "a run finishes as FINISHED, FAILED or KILLED, not " + status);
    }
    metricFiles.close();
    runMeta.put("status", status.code());
    runMeta.put("end_time", clock.getAsLong());
    writeRunMeta();
    finished = true;
  }

  @Override
  public synchronized void close() {
    if (runMeta != null && !finished) {
      finish(RunStatus.FAILED);
    }
    metricFiles.close();
  }

  private void writeRunMeta() {
    Path meta = runDir.resolve(FileStoreExperiments.META);
    Path temp = runDir.resolve(FileStoreExperiments.META + ".tmp");
    writeText(temp, MetaYaml.render(runMeta));
    try {
      Files.move(temp, meta, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace " + meta, e);
    }
  }

  private static String truncated(String kind, String key, String value, int limit) {
    Objects.requireNonNull(value, () -> kind + " " + key + " has no value");
    if (value.length() > limit) {
      LOG.warn(
          "{} '{}' has {} characters; truncated to MLflow's limit of {}",
          kind,
          key,
          value.length(),
          limit);
    }
    return MlflowNames.truncated(value, limit);
  }

  private static void writeText(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private void requireStarted() {
    if (runMeta == null) {
      throw new IllegalStateException("no run started: call startRun first");
    }
  }

  private void requireRunning() {
    requireStarted();
    if (finished) {
      throw new IllegalStateException("run " + runMeta.get("run_id") + " has finished");
    }
  }
}
