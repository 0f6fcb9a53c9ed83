package ai.llep.trainer.tracking;

import static ai.llep.trainer.tracking.FakeMlflowServer.API;
import static ai.llep.trainer.tracking.FakeMlflowServer.ARTIFACTS;
import static ai.llep.trainer.tracking.FakeMlflowServer.field;
import static ai.llep.trainer.tracking.FakeMlflowServer.waitUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.tracking.FakeMlflowServer.Call;
import ai.llep.trainer.tracking.FakeMlflowServer.Metric;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The REST tracker against an in-test MLflow server: the calls it makes, and outages. */
class RestTrackerTest {
  private static final long T0 = 1_700_000_000_000L;

  private final AtomicLong clock = new AtomicLong(T0);

  private static TrackingOptions fast(Duration flush) {
    return TrackingOptions.defaults()
        .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(10), flush)
        .withRetry(Duration.ofMillis(20), Duration.ofMillis(100));
  }

  private RestTracker tracker(URI uri, TrackingOptions options) {
    return new RestTracker(uri, options, () -> clock.getAndAdd(10), "tester");
  }

  @Test
  void createsTheRunAndLogsParamsMetricsTagsArtifactsAndStatus() throws IOException {
    try (FakeMlflowServer server = FakeMlflowServer.start();
        LogLines logs = new LogLines()) {
      RunRef run;
      try (RestTracker tracker = tracker(server.uri(), fast(Duration.ofSeconds(10)))) {
        run = tracker.startRun("llep-sft", "tiny-1", Map.of("recipe", "tiny"));
        tracker.logParams(Map.of("lr", "0.001", "optim/beta1", "0.9"));
        tracker.logMetrics(1, Map.of("loss", 2.5, "moe/layer0/expert0_load", 12.0));
        tracker.logMetrics(2, Map.of("loss", 2.25));
        tracker.setTag("phase", "sft");
        tracker.logArtifact("config/resolved.conf", "seed = 1\n".getBytes(StandardCharsets.UTF_8));
        tracker.finish(RunStatus.FINISHED);
        assertEquals(DroppedRecords.NONE, tracker.dropped());
      }

      assertEquals(
          new RunRef(
              "1",
              "0123456789abcdef0123456789abcdef",
              "mlflow-artifacts:/1/0123456789abcdef0123456789abcdef/artifacts"),
          run);
      assertEquals(
          "llep-sft",
          field(server.callsTo(API + "experiments/create").getFirst().json(), "name")
              .getAsString());
      Call create = server.callsTo(API + "runs/create").getFirst();
      assertEquals("1", field(create.json(), "experiment_id").getAsString());
      assertEquals("tiny-1", field(create.json(), "run_name").getAsString());
      assertEquals(T0, field(create.json(), "start_time").getAsLong());
      assertEquals("tester", field(create.json(), "user_id").getAsString());
      assertEquals(
          "[{\"key\":\"mlflow.runName\",\"value\":\"tiny-1\"},"
              + "{\"key\":\"mlflow.user\",\"value\":\"tester\"},"
              + "{\"key\":\"recipe\",\"value\":\"tiny\"}]",
          create.json().get("tags").toString());

      assertEquals(List.of("lr=0.001", "optim/beta1=0.9"), server.pairs("params"));
      assertEquals(List.of("phase=sft"), server.pairs("tags"));
      assertEquals(
          List.of(
              new Metric("loss", 2.5, T0 + 10, 1),
              new Metric("moe/layer0/expert0_load", 12.0, T0 + 10, 1),
              new Metric("loss", 2.25, T0 + 20, 2)),
          server.metrics());

      Call upload = server.callsTo(ARTIFACTS).getFirst();
      assertEquals("PUT", upload.method());
      assertEquals(
          ARTIFACTS + "1/0123456789abcdef0123456789abcdef/artifacts/config/resolved.conf",
          upload.path());
      assertArrayEquals("seed = 1\n".getBytes(StandardCharsets.UTF_8), upload.body());

      Call update = server.calls.getLast();
      assertEquals(API + "runs/update", update.path());
      assertEquals("FINISHED", field(update.json(), "status").getAsString());
      assertEquals(T0 + 30, field(update.json(), "end_time").getAsLong());
      assertEquals(List.of(), logs.matching("WARN", ""));
    }
  }

  @Test
  void reusesAnExperimentThatExists() throws IOException {
    try (FakeMlflowServer server = FakeMlflowServer.start()) {
      server.experiments.put("llep-sft", "7");
      try (RestTracker tracker = tracker(server.uri(), fast(Duration.ofSeconds(10)))) {
        assertEquals("7", tracker.startRun("llep-sft", "again", Map.of()).experimentId());
      }
      assertEquals(List.of(), server.callsTo(API + "experiments/create"));
      Call update = server.calls.getLast();
      assertEquals("FAILED", field(update.json(), "status").getAsString(), "closed unfinished");
    }
  }

  @Test
  void serverGoneMidRunNeitherThrowsNorBlocksAndCloseIsBounded() throws IOException {
    try (FakeMlflowServer server = FakeMlflowServer.start();
        LogLines logs = new LogLines()) {
      RestTracker tracker = tracker(server.uri(), fast(Duration.ofMillis(500)));
      tracker.startRun("llep-sft", "outage", Map.of());
      for (int step = 0; step < 5; step++) {
        tracker.logMetrics(step, Map.of("loss", 1.0 / (step + 1)));
      }
      assertTrue(waitUntil(() -> server.metrics().size() == 5, Duration.ofSeconds(10)));

      server.stop();
      long slowest = 0;
      long start = System.nanoTime();
      for (int step = 5; step < 505; step++) {
        long before = System.nanoTime();
        tracker.logMetrics(step, Map.of("loss", 1.0 / (step + 1)));
        if (step % 100 == 0) {
          tracker.setTag("checkpoint", "step-" + step);
        }
        slowest = Math.max(slowest, System.nanoTime() - before);
      }
      long logging = System.nanoTime() - start;
      tracker.logArtifact("plots/loss.png", new byte[] {1, 2, 3});
      tracker.finish(RunStatus.FINISHED);
      long closeStart = System.nanoTime();
      tracker.close();
      long closing = System.nanoTime() - closeStart;

      assertTrue(slowest < 250_000_000L, "slowest log call took " + slowest / 1e6 + " ms");
      assertTrue(logging < 2_000_000_000L, "500 log calls took " + logging / 1e6 + " ms");
      assertTrue(closing < 3_000_000_000L, "close took " + closing / 1e6 + " ms");
      assertEquals(new DroppedRecords(500, 0, 5, 1, 1), tracker.dropped());
      assertEquals(1, logs.matching("WARN", "unreachable").size(), logs.lines().toString());
      assertEquals(
          List.of(
              "WARN MLflow: run 0123456789abcdef0123456789abcdef on "
                  + server.uri()
                  + " is missing 500 metric values, 0 params, 5 tags, 1 artifacts and the run's"
                  + " final status that could not be delivered"),
          logs.matching("WARN", "missing"));
    }
  }

  @Test
  void buffersDuringAnOutageAndDeliversEverythingAfterIt() throws IOException {
    try (FakeMlflowServer server = FakeMlflowServer.start();
        LogLines logs = new LogLines()) {
      List<Metric> expected = new ArrayList<>();
      RestTracker tracker = tracker(server.uri(), fast(Duration.ofSeconds(10)));
      try {
        tracker.startRun("llep-sft", "flaky", Map.of());
        server.available = false;
        for (int step = 0; step < 20; step++) {
          tracker.logMetrics(step, Map.of("loss", step * 0.5));
          expected.add(new Metric("loss", step * 0.5, T0 + 10 * (step + 1), step));
        }
        assertTrue(waitUntil(() -> server.refused.get() >= 6, Duration.ofSeconds(10)));
        server.available = true;
        assertTrue(
            waitUntil(() -> server.metrics().size() == expected.size(), Duration.ofSeconds(30)),
            "the background sender did not deliver the buffered metrics after the outage");
        tracker.finish(RunStatus.FINISHED);
      } finally {
        tracker.close();
      }
      assertEquals(DroppedRecords.NONE, tracker.dropped());
      assertEquals(expected, server.metrics());
      assertEquals("FINISHED", field(server.calls.getLast().json(), "status").getAsString());
      assertEquals(1, logs.matching("WARN", "unreachable").size(), logs.lines().toString());
      assertTrue(
          waitUntil(
              () -> logs.matching("INFO", "reachable again").size() == 1, Duration.ofSeconds(10)),
          logs.lines().toString());
    }
  }

  @Test
  void aRejectedBatchIsDroppedWithAWarningAndLoggingGoesOn() throws IOException {
    try (FakeMlflowServer server = FakeMlflowServer.start();
        LogLines logs = new LogLines()) {
      RestTracker tracker = tracker(server.uri(), fast(Duration.ofSeconds(10)));
      try {
        tracker.startRun("llep-sft", "rejects", Map.of());
        tracker.logParams(Map.of("rejected", "1"));
        assertTrue(waitUntil(() -> tracker.dropped().params() == 1, Duration.ofSeconds(10)));
        tracker.logMetrics(7, Map.of("loss", 0.75));
        tracker.finish(RunStatus.FINISHED);
      } finally {
        tracker.close();
      }
      assertEquals(new DroppedRecords(0, 1, 0, 0, 0), tracker.dropped());
      assertEquals(List.of(new Metric("loss", 0.75, T0 + 10, 7)), server.metrics());
      assertEquals(
          List.of(
              "WARN MLflow server "
                  + server.uri()
                  + " rejected 1 records: HTTP 400: {\"error_code\": \"INVALID_PARAMETER_VALUE\"}"),
          logs.matching("WARN", "rejected"));
    }
  }

  @Test
  void aServerThatNeverAnswersTimesOutAndIsRetried() throws IOException {
    try (FakeMlflowServer server = FakeMlflowServer.start()) {
      TrackingOptions options =
          fast(Duration.ofSeconds(10))
              .withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(10));
      try (RestTracker tracker = tracker(server.uri(), options)) {
        tracker.startRun("llep-sft", "hung", Map.of());
        server.hang = true;
        long start = System.nanoTime();
        tracker.logMetrics(0, Map.of("loss", 3.0));
        assertTrue(System.nanoTime() - start < 250_000_000L, "the caller does not wait");
        assertTrue(waitUntil(() -> server.held.get() >= 2, Duration.ofSeconds(10)));
        server.hang = false;
        tracker.finish(RunStatus.FINISHED);
      }
      assertTrue(server.metrics().contains(new Metric("loss", 3.0, T0 + 10, 0)));
      // Log requests the server held are recorded when it lets them go, which may be after the
      // run's final update: look for that update, not at the last call.
      Call update = server.callsTo(API + "runs/update").getLast();
      assertEquals("FINISHED", field(update.json(), "status").getAsString());
    }
  }

  @Test
  void startRunFailsClearlyWhenNoServerListens() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    URI uri = URI.create("http://127.0.0.1:" + port);
    try (RestTracker tracker = tracker(uri, fast(Duration.ofSeconds(1)))) {
      TrackingException e =
          assertThrows(TrackingException.class, () -> tracker.startRun("x", "y", Map.of()));
      assertTrue(
          e.getMessage().startsWith("tracking.uri " + uri + ": cannot create the run: "),
          e.getMessage());
    }
  }

  @Test
  void badKeysFailAtTheCall() throws IOException {
    try (FakeMlflowServer server = FakeMlflowServer.start();
        RestTracker tracker = tracker(server.uri(), fast(Duration.ofSeconds(10)))) {
      tracker.startRun("llep-sft", "keys", Map.of());
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> tracker.logMetrics(1, Map.of("loss@rank0", 1.0)));
      assertEquals(
          "Invalid metric name: 'loss@rank0'. Names may only contain alphanumerics, underscores"
              + " (_), dashes (-), periods (.), spaces ( ), and slashes (/).",
          e.getMessage());
      assertThrows(
          IllegalArgumentException.class, () -> tracker.logArtifact("../escape", new byte[0]));
    }
  }

  @Test
  void artifactUrisResolveToTheProxyEndpoint() {
    String host = "http://mlflow.test:5000";
    assertEquals(
        host + "/api/2.0/mlflow-artifacts/artifacts/3/abc/artifacts",
        ArtifactUploader.resolve(host, "mlflow-artifacts:/3/abc/artifacts"));
    assertEquals(
        "http://other:9000/api/2.0/mlflow-artifacts/artifacts/3/abc/artifacts",
        ArtifactUploader.resolve(host, "mlflow-artifacts://other:9000/3/abc/artifacts"));
    assertEquals(
        "https://proxy.test/api/2.0/mlflow-artifacts/artifacts/3",
        ArtifactUploader.resolve(host, "https://proxy.test/api/2.0/mlflow-artifacts/artifacts/3/"));
    assertEquals(null, ArtifactUploader.resolve(host, "s3://bucket/3/abc/artifacts"));
    assertEquals(null, ArtifactUploader.resolve(host, "/srv/mlruns/3/abc/artifacts"));
  }

  @Test
  void aRunLeftRunningIsEndedAsFailedAtItsLastMetricThenContinued() throws IOException {
    try (FakeMlflowServer server = FakeMlflowServer.start()) {
      long lastMetric;
      try (RestTracker first = tracker(server.uri(), fast(Duration.ofSeconds(10)))) {
        first.startRun("llep-sft", "tiny-1", Map.of("llep.attempt", "1"));
        first.logParams(Map.of("optim.lr", "0.001"));
        first.logMetrics(1, Map.of("loss", 2.5));
        lastMetric = clock.get();
        first.logMetrics(2, Map.of("loss", 2.25));
      }
      // As a SIGKILLed process leaves it.
      server.runs.get(FakeMlflowServer.FIRST_RUN).status = "RUNNING";
      int updatesBefore = server.callsTo(API + "runs/update").size();

      try (RestTracker second = tracker(server.uri(), fast(Duration.ofSeconds(10)))) {
        ReopenedRun reopened = second.reopenRun(FakeMlflowServer.FIRST_RUN).orElseThrow();
        assertEquals(RunStatus.RUNNING, reopened.previousStatus());
        assertEquals(Map.of("optim.lr", "0.001"), reopened.params());
        assertEquals("1", reopened.tags().get("llep.attempt"));
        List<Call> updates = server.callsTo(API + "runs/update");
        Call failed = updates.get(updatesBefore);
        assertEquals("FAILED", field(failed.json(), "status").getAsString());
        assertEquals(lastMetric, field(failed.json(), "end_time").getAsLong());
        Call running = updates.get(updatesBefore + 1);
        assertEquals("RUNNING", field(running.json(), "status").getAsString());
        assertEquals(null, field(running.json(), "end_time"), "a running run has no end");
        second.logMetrics(3, Map.of("loss", 2.0));
        second.finish(RunStatus.FINISHED);
      }
      assertEquals(1, server.callsTo(API + "runs/create").size(), "no second run");
      assertEquals(
          List.of(1L, 2L, 3L),
          server.metrics().stream().filter(m -> m.key().equals("loss")).map(Metric::step).toList());
      assertEquals("FINISHED", server.runs.get(FakeMlflowServer.FIRST_RUN).status);
    }
  }

  @Test
  void reopeningARunTheServerDoesNotHaveGivesNothing() throws IOException {
    try (FakeMlflowServer server = FakeMlflowServer.start();
        RestTracker tracker = tracker(server.uri(), fast(Duration.ofSeconds(10)))) {
      assertTrue(tracker.reopenRun("fedcba9876543210fedcba9876543210").isEmpty());
      RunRef fresh = tracker.startRun("llep-sft", "tiny-2", Map.of());
      assertEquals(FakeMlflowServer.FIRST_RUN, fresh.runId());
    }
  }
}
