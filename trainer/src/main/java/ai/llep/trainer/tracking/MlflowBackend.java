package ai.llep.trainer.tracking;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

/**
 * The requests a {@link RestTracker} makes: experiments, runs, params, metrics, tags and status
 * through MLflow's Java client, artifacts through {@link ArtifactUploader}.
 *
 * <p>MLflow's client sets no timeouts on its HTTP connections, so a server that accepts a request
 * and never answers would hold the sending thread forever. Each call therefore runs under a timer
 * that closes the client when the request timeout passes (which aborts the request) and a fresh
 * client serves the next call.
 */
final class MlflowBackend implements AutoCloseable {
  private static final String ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS";

  private final String host;
  private final TrackingOptions options;
  private final ScheduledExecutorService timer;
  private MlflowClient client;
  private ArtifactUploader artifacts;
  private String runId;

  MlflowBackend(URI trackingUri, TrackingOptions options) {
    String uri = trackingUri.toString();
    this.host = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    this.options = options;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("mlflow-request-timer").unstarted(r));
  }

  String host() {
    return host;
  }

  /**
   * Finds or creates the experiment and creates the run. Each request may take up to the start
   * timeout, which also covers loading the client's classes on first use.
   */
  RunRef startRun(
      String experimentName,
      String runName,
      Map<String, String> tags,
      long startTime,
      String user) {
    Duration timeout = options.startTimeout();
    String experimentId = call(c -> experimentId(c, experimentName), timeout);
    Service.CreateRun.Builder request =
        Service.CreateRun.newBuilder()
            .setExperimentId(experimentId)
            .setRunName(runName)
            .setStartTime(startTime)
            .setUserId(user);
    tags.forEach(
        (key, value) ->
            request.addTags(Service.RunTag.newBuilder().setKey(key).setValue(value).build()));
    Service.RunInfo info = call(c -> c.createRun(request.build()), timeout);
    runId = info.getRunId();
    artifacts = new ArtifactUploader(host, info.getArtifactUri(), options);
    return new RunRef(experimentId, info.getRunId(), info.getArtifactUri());
  }

  /**
   * Finds run {@code runId} and sets it RUNNING again, first ending it as FAILED at the time of its
   * newest metric (or {@code now}) if it was still RUNNING. Empty if the server has no active run
   * of that id. Each request may take up to the start timeout.
   */
  Optional<ReopenedRun> reopenRun(String runId, long now) {
    Duration timeout = options.startTimeout();
    Service.Run found;
    try {
      found = call(c -> c.getRun(runId), timeout);
    } catch (SendFailure e) {
      if (e.getCause() instanceof MlflowHttpException http && http.getStatusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
    Service.RunInfo info = found.getInfo();
    if (!"active".equals(info.getLifecycleStage())) {
      return Optional.empty();
    }
    RunStatus previous = RunStatus.valueOf(info.getStatus().name());
    if (previous == RunStatus.RUNNING) {
      long lastLogged =
          found.getData().getMetricsList().stream()
              .mapToLong(Service.Metric::getTimestamp)
              .max()
              .orElse(now);
      update(runId, RunStatus.FAILED, lastLogged, timeout);
    }
    update(runId, RunStatus.RUNNING, null, timeout);
    this.runId = runId;
    artifacts = new ArtifactUploader(host, info.getArtifactUri(), options);
    Map<String, String> params = new TreeMap<>();
    found.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
    Map<String, String> tags = new TreeMap<>();
    found.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
    return Optional.of(
        new ReopenedRun(
            new RunRef(info.getExperimentId(), runId, info.getArtifactUri()),
            previous,
            params,
            tags));
  }

  /**
   * {@code runs/update} with a body of our own, since the client's call always sets an end time,
   * which a run set RUNNING again must not get.
   */
  private void update(String runId, RunStatus status, Long endTime, Duration timeout) {
    JsonObject body = new JsonObject();
    body.addProperty("run_id", runId);
    body.addProperty("status", status.name());
    if (endTime != null) {
      body.addProperty("end_time", endTime);
    }
    call(c -> c.sendPost("runs/update", body.toString()), timeout);
  }

  private static String experimentId(MlflowClient c, String name) {
    Optional<Service.Experiment> existing = c.getExperimentByName(name);
    if (existing.isPresent()) {
      return existing.get().getExperimentId();
    }
    try {
      return c.createExperiment(name);
    } catch (MlflowHttpException e) {
      // Another process created it between the two calls.
      if (e.getBodyMessage() != null && e.getBodyMessage().contains(ALREADY_EXISTS)) {
        return c.getExperimentByName(name).orElseThrow(() -> e).getExperimentId();
      }
      throw e;
    }
  }

  /** Whether artifacts of this run can go through the tracking server. */
  Optional<String> artifactProblem() {
    return artifacts.problem();
  }

  /**
   * Sends one batch from {@link Outbox#nextBatch}.
   *
   * @throws SendFailure if it did not arrive; {@link SendFailure#retryable()} tells whether sending
   *     it again may succeed
   */
  void send(List<Pending> batch) {
    switch (batch.getFirst()) {
      case Pending.Artifact a -> artifacts.upload(a.path(), a.content());
      case Pending.Finish f ->
          call(
              c -> {
                c.setTerminated(runId, Service.RunStatus.valueOf(f.status().name()), f.endTime());
                return null;
              },
              options.requestTimeout());
      default -> sendLogBatch(batch);
    }
  }

  private void sendLogBatch(List<Pending> batch) {
    List<Service.Metric> metrics = new ArrayList<>();
    List<Service.Param> params = new ArrayList<>();
    List<Service.RunTag> tags = new ArrayList<>();
    for (Pending record : batch) {
      switch (record) {
        case Pending.Metric m ->
            metrics.add(
                Service.Metric.newBuilder()
                    .setKey(m.key())
                    .setValue(m.value())
                    .setTimestamp(m.timestamp())
                    .setStep(m.step())
                    .build());
        case Pending.Param p ->
            params.add(Service.Param.newBuilder().setKey(p.key()).setValue(p.value()).build());
        case Pending.Tag t ->
            tags.add(Service.RunTag.newBuilder().setKey(t.key()).setValue(t.value()).build());
        default -> throw new IllegalArgumentException("not a log-batch record: " + record);
      }
    }
    call(
        c -> {
          c.logBatch(runId, metrics, params, tags);
          return null;
        },
        options.requestTimeout());
  }

  private <T> T call(Function<MlflowClient, T> request, Duration timeout) {
    MlflowClient current = client();
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledFuture<?> deadline =
        timer.schedule(
            () -> {
              timedOut.set(true);
              current.close();
            },
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      return request.apply(current);
    } catch (RuntimeException e) {
      if (timedOut.get()) {
        throw new SendFailure("no answer within " + timeout.toMillis() + " ms", true, e);
      }
      throw classify(e);
    } finally {
      deadline.cancel(false);
      if (timedOut.get()) {
        replace(current);
      }
    }
  }

  private synchronized MlflowClient client() {
    if (client == null) {
      TrackingOptions.Credentials credentials = options.credentials();
      BasicMlflowHostCreds creds =
          credentials.username() != null
              ? new BasicMlflowHostCreds(host, credentials.username(), credentials.password())
              : credentials.token() != null
                  ? new BasicMlflowHostCreds(host, credentials.token())
                  : new BasicMlflowHostCreds(host);
      client = new MlflowClient(creds);
    }
    return client;
  }

  private synchronized void replace(MlflowClient closed) {
    if (client == closed) {
      client = null;
    }
  }

  static SendFailure classify(RuntimeException e) {
    if (e instanceof SendFailure failure) {
      return failure;
    }
    if (e instanceof MlflowHttpException http) {
      int status = http.getStatusCode();
      String body = http.getBodyMessage() == null ? "" : ": " + http.getBodyMessage();
      return new SendFailure("HTTP " + status + body, status == 429 || status >= 500, e);
    }
    if (e instanceof MlflowClientException && e.getCause() instanceof IOException io) {
      return new SendFailure(io.getClass().getSimpleName() + ": " + io.getMessage(), true, e);
    }
    return new SendFailure(e.toString(), false, e);
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    if (client != null) {
      client.close();
      client = null;
    }
  }

  /** A request that did not succeed. */
  static final class SendFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    SendFailure(String message, boolean retryable, Throwable cause) {
      super(message, cause);
      this.retryable = retryable;
    }

    /** Whether the server may accept the same request later (it was unreachable or busy). */
    boolean retryable() {
      return retryable;
    }
  }
}
