package ai.llep.trainer.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A tracker that sends to an MLflow tracking server over its REST API.
 *
 * <p>{@link #startRun} waits for the server (up to the start timeout) and fails with {@link
 * TrackingException} if it cannot create the run, so a wrong URI shows before training starts.
 * Every later call only checks its arguments and puts records in a bounded buffer; a background
 * thread sends them in batches. When the server goes away, training goes on: the thread warns once,
 * keeps what fits in the buffer, and retries with backoff until the server is back. {@link
 * #close()} waits up to the flush timeout for the buffer to empty and then reports what it could
 * not deliver ({@link #dropped()}).
 */
public final class RestTracker implements Tracker {
  private static final Logger LOG = LogManager.getLogger(RestTracker.class);

  private final URI trackingUri;
  private final TrackingOptions options;
  private final LongSupplier clock;
  private final String user;
  private final MlflowBackend backend;
  private final Outbox outbox;
  private final AtomicBoolean warnedFull = new AtomicBoolean();
  private SendLoop loop;
  private Thread sender;
  private RunRef run;
  private boolean finished;
  private boolean closed;
  private boolean artifactsUnreachable;

  public RestTracker(URI trackingUri, TrackingOptions options) {
    this(trackingUri, options, System::currentTimeMillis, System.getProperty("user.name", ""));
  }

  RestTracker(URI trackingUri, TrackingOptions options, LongSupplier clock, String user) {
    this.trackingUri = Objects.requireNonNull(trackingUri, "trackingUri");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = clock;
    this.user = user;
    this.backend = new MlflowBackend(trackingUri, options);
    this.outbox = new Outbox(options.bufferCapacity(), options.maxBufferedArtifactBytes());
  }

  @Override
  public synchronized RunRef startRun(
      String experimentName, String runName, Map<String, String> tags) {
    if (run != null) {
      throw new IllegalStateException("this tracker already holds run " + run.runId());
    }
    MlflowNames.checkExperimentName(experimentName);
    MlflowNames.checkRunName(runName);
    Map<String, String> allTags = new TreeMap<>();
    tags.forEach(
        (key, value) -> {
          MlflowNames.checkTagKey(key);
          allTags.put(key, MlflowNames.truncated(value, MlflowNames.MAX_TAG_VALUE_LENGTH));
        });
    allTags.put(FileStoreTracker.RUN_NAME_TAG, runName);
    allTags.putIfAbsent(FileStoreTracker.USER_TAG, user);
    long startTime = clock.getAsLong();
    run =
        waitForServer(
            () -> backend.startRun(experimentName, runName, allTags, startTime, user),
            "create the run");
    startSending();
    LOG.info("tracking run {} ({}) on {}", runName, run.runId(), trackingUri);
    return run;
  }

  @Override
  public synchronized Optional<ReopenedRun> reopenRun(String runId) {
    if (run != null) {
      throw new IllegalStateException("this tracker already holds run " + run.runId());
    }
    MlflowNames.checkRunId(runId);
    long now = clock.getAsLong();
    Optional<ReopenedRun> reopened =
        waitForServer(() -> backend.reopenRun(runId, now), "reopen run " + runId);
    if (reopened.isEmpty()) {
      return reopened;
    }
    run = reopened.get().run();
    startSending();
    LOG.info("tracking run {} on {}, reopened", runId, trackingUri);
    return reopened;
  }

  /**
   * Runs a start-up request on its own thread and waits up to the start timeout, so a wrong URI or
   * a server that does not answer shows before training starts.
   */
  private <T> T waitForServer(Supplier<T> request, String what) {
    CompletableFuture<T> answer =
        CompletableFuture.supplyAsync(
            request, task -> Thread.ofPlatform().daemon().name("mlflow-start-run").start(task));
    try {
      return answer.get(options.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      backend.close();
      throw new TrackingException(
          "tracking.uri "
              + trackingUri
              + ": the MLflow server did not "
              + what
              + " within "
              + options.startTimeout().toSeconds()
              + " s",
          e);
    } catch (ExecutionException e) {
      backend.close();
      throw new TrackingException(
          "tracking.uri " + trackingUri + ": cannot " + what + ": " + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      backend.close();
      throw new TrackingException("tracking.uri " + trackingUri + ": interrupted", e);
    }
  }

  private void startSending() {
    backend.artifactProblem().ifPresent(problem -> LOG.warn("MLflow: {}", problem));
    artifactsUnreachable = backend.artifactProblem().isPresent();
    loop = new SendLoop(outbox, backend::send, backend.host(), options);
    sender = Thread.ofPlatform().daemon().name("mlflow-sender").start(loop);
  }

  @Override
  public synchronized void logParams(Map<String, String> params) {
    requireRunning();
    Map<String, String> sorted = new TreeMap<>();
    params.forEach(
        (key, value) -> {
          MlflowNames.checkParamKey(key);
          Objects.requireNonNull(value, () -> "param " + key + " has no value");
          sorted.put(key, MlflowNames.truncated(value, MlflowNames.MAX_PARAM_VALUE_LENGTH));
        });
    sorted.forEach((key, value) -> offer(new Pending.Param(key, value)));
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
    sorted.forEach((key, value) -> offer(new Pending.Metric(key, value, timestamp, step)));
  }

  @Override
  public synchronized void setTag(String key, String value) {
    requireRunning();
    MlflowNames.checkTagKey(key);
    Objects.requireNonNull(value, () -> "tag " + key + " has no value");
    offer(new Pending.Tag(key, MlflowNames.truncated(value, MlflowNames.MAX_TAG_VALUE_LENGTH)));
  }

  @Override
  public synchronized void logArtifact(String name, byte[] content) {
    requireRunning();
    MlflowNames.checkArtifactPath(name);
    Pending.Artifact artifact = new Pending.Artifact(name, content.clone());
    if (artifactsUnreachable) {
      outbox.drop(artifact);
      return;
    }
    offer(artifact);
  }

  @Override
  public synchronized void logArtifact(String name, Path source) {
    requireRunning();
    MlflowNames.checkArtifactPath(name);
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path file : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(file)) {
          String path =
              file.equals(source)
                  ? name
                  : name + "/" + source.relativize(file).toString().replace('\\', '/');
          logArtifact(path, Files.readAllBytes(file));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read artifact " + source, e);
    }
  }

  private void offer(Pending record) {
    if (!outbox.offer(record) && warnedFull.compareAndSet(false, true)) {
      LOG.warn(
          "MLflow: buffer for {} is full ({} records); dropping new records until it drains",
          backend.host(),
          options.bufferCapacity());
    }
  }

  @Override
  public synchronized void finish(RunStatus status) {
    requireRunning();
    if (!status.terminal()) {
      throw new IllegalArgumentException(
          "a run finishes as FINISHED, FAILED or KILLED, not " + status);
    }
    outbox.offer(new Pending.Finish(status, clock.getAsLong()));
    finished = true;
  }

  /**
   * Ends an unfinished run as FAILED, sends what is buffered within the flush timeout, and stops
   * the sending thread. Never throws and never waits much longer than the flush timeout.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (run == null) {
      backend.close();
      return;
    }
    if (!finished) {
      finish(RunStatus.FAILED);
    }
    loop.drain();
    try {
      sender.join(options.flushTimeout());
      if (sender.isAlive()) {
        loop.stop();
        // Aborts a request in flight, so the thread sees the stop within a moment.
        backend.close();
        sender.join(options.requestTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      loop.stop();
    }
    backend.close();
    outbox.dropAll();
    DroppedRecords dropped = outbox.dropped();
    if (dropped.total() > 0) {
      LOG.warn(
          "MLflow: run {} on {} is missing {} that could not be delivered",
          run.runId(),
          backend.host(),
          dropped);
    }
  }

  /** The records not delivered so far; final once {@link #close()} has returned. */
  public DroppedRecords dropped() {
    return outbox.dropped();
  }

  private void requireRunning() {
    if (run == null) {
      throw new IllegalStateException("no run started: call startRun first");
    }
    if (finished) {
      throw new IllegalStateException("run " + run.runId() + " has finished");
    }
  }
}
