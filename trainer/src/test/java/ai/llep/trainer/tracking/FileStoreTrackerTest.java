package ai.llep.trainer.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact files of MLflow's file-store layout. */
class FileStoreTrackerTest {
  private static final long T0 = 1_700_000_000_000L;

  @TempDir Path dir;

  private final AtomicLong clock = new AtomicLong(T0);

  private Path root() {
    return dir.resolve("mlruns");
  }

  private FileStoreTracker tracker() {
    return new FileStoreTracker(root(), () -> clock.getAndAdd(1000), "alice");
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private String rootUri() {
    return root().toAbsolutePath().toUri().toString().replaceAll("/$", "");
  }

  @Test
  void newStoreHasTheDefaultExperimentAndTrash() throws IOException {
    tracker().close();
    assertEquals(
        "artifact_location: "
            + rootUri()
            + "/0\n"
            + "creation_time: 1700000000000\n"
            + "experiment_id: '0'\n"
            + "last_update_time: 1700000000000\n"
            + "lifecycle_stage: active\n"
            + "name: Default\n",
        read(root().resolve("0/meta.yaml")));
    assertTrue(Files.isDirectory(root().resolve(".trash")));
  }

  @Test
  void runFolderHoldsMetaParamsMetricsTagsAndArtifacts() throws IOException {
    RunRef run;
    Path runDir;
    try (FileStoreTracker tracker = tracker()) {
      run = tracker.startRun("Default", "tiny-1", Map.of("recipe", "tiny"));
      runDir = tracker.runDir();
      assertEquals(
          "artifact_uri: "
              + rootUri()
              + "/0/"
              + run.runId()
              + "/artifacts\n"
              + "deleted_time: null\n"
              + "end_time: null\n"
              + "entry_point_name: ''\n"
              + "experiment_id: '0'\n"
              + "lifecycle_stage: active\n"
              + "run_id: "
              + run.runId()
              + "\n"
              + "run_name: tiny-1\n"
              + "run_uuid: "
              + run.runId()
              + "\n"
              + "source_name: ''\n"
              + "source_type: 4\n"
              + "source_version: ''\n"
              + "start_time: 1700000001000\n"
              + "status: 1\n"
              + "tags: []\n"
              + "user_id: alice\n",
          read(runDir.resolve("meta.yaml")).replace("'" + run.runId() + "'", run.runId()));
      tracker.logParams(Map.of("lr", "0.001", "optim/beta1", "0.9"));
      tracker.logMetrics(1, Map.of("loss", 2.5, "moe/layer0/expert1_load", 12.0));
      tracker.logMetrics(2, Map.of("loss", 1e-5));
      tracker.setTag("phase", "sft");
      tracker.logArtifact("config/resolved.conf", "seed = 1\n".getBytes(StandardCharsets.UTF_8));
      tracker.finish(RunStatus.FINISHED);
    }

    assertEquals("0", run.experimentId());
    assertTrue(run.runId().matches("[0-9a-f]{32}"), run.runId());
    assertEquals(root().resolve("0").resolve(run.runId()), runDir);
    assertEquals("0.001", read(runDir.resolve("params/lr")));
    assertEquals("0.9", read(runDir.resolve("params/optim/beta1")));
    assertEquals(
        "1700000002000 2.5 1\n1700000003000 1e-05 2\n", read(runDir.resolve("metrics/loss")));
    assertEquals("1700000002000 12.0 1\n", read(runDir.resolve("metrics/moe/layer0/expert1_load")));
    assertEquals("tiny-1", read(runDir.resolve("tags/mlflow.runName")));
    assertEquals("alice", read(runDir.resolve("tags/mlflow.user")));
    assertEquals("tiny", read(runDir.resolve("tags/recipe")));
    assertEquals("sft", read(runDir.resolve("tags/phase")));
    assertEquals("seed = 1\n", read(runDir.resolve("artifacts/config/resolved.conf")));
    String meta = read(runDir.resolve("meta.yaml"));
    assertTrue(meta.contains("\nend_time: 1700000004000\n"), meta);
    assertTrue(meta.contains("\nstatus: 3\n"), meta);
    assertFalse(meta.contains("deleted_time"), meta);
    assertEquals(
        Map.of(
            "loss",
                List.of(new MetricPoint(T0 + 2000, 2.5, 1), new MetricPoint(T0 + 3000, 1e-5, 2)),
            "moe/layer0/expert1_load", List.of(new MetricPoint(T0 + 2000, 12.0, 1))),
        RunMetrics.read(runDir));
  }

  @Test
  void newExperimentsGetAnIdAndAreReusedByName() throws IOException {
    RunRef first;
    RunRef second;
    try (FileStoreTracker tracker = tracker()) {
      first = tracker.startRun("llep-sft", "a", Map.of());
    }
    try (FileStoreTracker tracker = tracker()) {
      second = tracker.startRun("llep-sft", "b", Map.of());
    }
    assertTrue(first.experimentId().matches("[1-9][0-9]{17}"), first.experimentId());
    assertEquals(first.experimentId(), second.experimentId());
    String meta = read(root().resolve(first.experimentId()).resolve("meta.yaml"));
    assertTrue(meta.contains("\nexperiment_id: '" + first.experimentId() + "'\n"), meta);
    assertTrue(meta.contains("\nname: llep-sft\n"), meta);
    try (Stream<Path> runs = Files.list(root().resolve(first.experimentId()))) {
      assertEquals(3, runs.count(), "meta.yaml and two runs");
    }
  }

  @Test
  void renamingTheRunThroughItsTagUpdatesTheMeta() throws IOException {
    try (FileStoreTracker tracker = tracker()) {
      tracker.startRun("Default", "before", Map.of());
      tracker.setTag("mlflow.runName", "after");
      assertTrue(read(tracker.runDir().resolve("meta.yaml")).contains("\nrun_name: after\n"));
      assertEquals("after", read(tracker.runDir().resolve("tags/mlflow.runName")));
    }
  }

  @Test
  void closingAnUnfinishedRunMarksItFailed() throws IOException {
    Path runDir;
    try (FileStoreTracker tracker = tracker()) {
      tracker.startRun("Default", "crash", Map.of());
      runDir = tracker.runDir();
    }
    assertTrue(read(runDir.resolve("meta.yaml")).contains("\nstatus: 4\n"));
  }

  @Test
  void keysAreCheckedAsMlflowChecksThem() {
    try (FileStoreTracker tracker = tracker()) {
      tracker.startRun("Default", "keys", Map.of());
      assertEquals(
          "Invalid metric name: 'loss:train'. Names may only contain alphanumerics, underscores"
              + " (_), dashes (-), periods (.), spaces ( ), and slashes (/).",
          assertThrows(
                  IllegalArgumentException.class,
                  () -> tracker.logMetrics(0, Map.of("loss:train", 1.0)))
              .getMessage());
      for (String bad : List.of("a//b", "../up", "/abs", "trailing/", ".", "")) {
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class, () -> tracker.logParams(Map.of(bad, "1")), bad);
        assertTrue(e.getMessage().startsWith("Invalid parameter name: '" + bad + "'."), bad);
      }
      assertThrows(IllegalArgumentException.class, () -> tracker.setTag("x".repeat(251), "v"));
      assertThrows(
          IllegalArgumentException.class, () -> tracker.logArtifact("a/../b", new byte[0]));
    }
  }

  @Test
  void aParameterKeepsItsFirstValue() throws IOException {
    try (FileStoreTracker tracker = tracker()) {
      RunRef run = tracker.startRun("Default", "params", Map.of());
      tracker.logParams(Map.of("lr", "0.1"));
      tracker.logParams(Map.of("lr", "0.1"));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> tracker.logParams(Map.of("lr", "0.2")));
      assertEquals(
          "Changing param values is not allowed. Param with key='lr' was already logged with"
              + " value='0.1' for run ID='"
              + run.runId()
              + "'. Attempted logging new value '0.2'.",
          e.getMessage());
      assertEquals("0.1", read(tracker.runDir().resolve("params/lr")));
    }
  }

  @Test
  void longValuesAreTruncatedToMlflowsLimits() throws IOException {
    try (FileStoreTracker tracker = tracker()) {
      tracker.startRun("Default", "long", Map.of());
      tracker.logParams(Map.of("config", "x".repeat(7000)));
      assertEquals(6000, read(tracker.runDir().resolve("params/config")).length());
    }
  }

  @Test
  void folderArtifactsAreCopiedWithTheirTree() throws IOException {
    Path plots = Files.createDirectories(dir.resolve("plots/layer0"));
    Files.writeString(dir.resolve("plots/loss.png"), "png");
    Files.writeString(plots.resolve("heat.png"), "heat");
    try (FileStoreTracker tracker = tracker()) {
      tracker.startRun("Default", "artifacts", Map.of());
      tracker.logArtifact("report", dir.resolve("plots"));
      tracker.logArtifact("single.png", dir.resolve("plots/loss.png"));
      Path artifacts = tracker.runDir().resolve("artifacts");
      assertEquals("png", read(artifacts.resolve("report/loss.png")));
      assertEquals("heat", read(artifacts.resolve("report/layer0/heat.png")));
      assertEquals("png", read(artifacts.resolve("single.png")));
    }
  }

  @Test
  void aDeletedExperimentNameIsNotReused() throws IOException {
    Path trashed = Files.createDirectories(root().resolve(".trash/42"));
    Files.writeString(
        trashed.resolve("meta.yaml"),
        "experiment_id: '42'\nlifecycle_stage: deleted\nname: old\n",
        StandardCharsets.UTF_8);
    try (FileStoreTracker tracker = new FileStoreTracker(root(), clock::get, "alice")) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> tracker.startRun("old", "r", Map.of()));
      assertTrue(e.getMessage().startsWith("Experiment 'old' already exists in deleted state"));
    }
  }

  @Test
  void logsNeedAStartedUnfinishedRun() {
    try (FileStoreTracker tracker = tracker()) {
      assertEquals(
          "no run started: call startRun first",
          assertThrows(IllegalStateException.class, () -> tracker.setTag("a", "b")).getMessage());
      tracker.startRun("Default", "once", Map.of());
      tracker.finish(RunStatus.KILLED);
      assertThrows(IllegalStateException.class, () -> tracker.logMetrics(1, Map.of("a", 1.0)));
      assertThrows(
          IllegalStateException.class, () -> tracker.startRun("Default", "twice", Map.of()));
    }
  }

  /** A run whose process died while it was RUNNING: its meta.yaml as that process left it. */
  private Path runLeftRunning() throws IOException {
    Path runDir;
    try (FileStoreTracker first = tracker()) {
      first.startRun("sft", "tiny-1", Map.of("llep.attempt", "1"));
      first.logParams(Map.of("optim.lr", "0.001"));
      first.logMetrics(1, Map.of("loss", 2.5));
      first.logMetrics(2, Map.of("loss", 2.25));
      runDir = first.runDir();
    }
    Path meta = runDir.resolve("meta.yaml");
    Files.writeString(
        meta,
        read(meta)
            .replaceAll("end_time: \\d+", "end_time: null")
            .replace("status: 4", "status: 1"));
    return runDir;
  }

  @Test
  void aReopenedRunContinuesInTheSameFolderAndRecordsWhatItWas() throws IOException {
    Path runDir = runLeftRunning();
    String runId = runDir.getFileName().toString();
    try (FileStoreTracker second = tracker()) {
      ReopenedRun reopened = second.reopenRun(runId).orElseThrow();
      assertEquals(RunStatus.RUNNING, reopened.previousStatus());
      assertEquals(runId, reopened.run().runId());
      assertEquals(Map.of("optim.lr", "0.001"), reopened.params());
      assertEquals("1", reopened.tags().get("llep.attempt"));
      assertEquals(runDir, second.runDir());
      String meta = read(runDir.resolve("meta.yaml"));
      assertTrue(meta.contains("status: 1\n") && meta.contains("end_time: null\n"), meta);
      assertTrue(meta.contains("run_name: tiny-1\n") && meta.contains("start_time: "), meta);
      second.logMetrics(3, Map.of("loss", 2.0));
      second.finish(RunStatus.FINISHED);
    }
    List<String> steps =
        Files.readAllLines(runDir.resolve("metrics/loss")).stream()
            .map(line -> line.split(" ")[2])
            .toList();
    assertEquals(List.of("1", "2", "3"), steps);
    assertTrue(read(runDir.resolve("meta.yaml")).contains("status: 3\n"));
  }

  @Test
  void reopeningAKilledRunSaysSoAndAnUnknownOneGivesNothing() throws IOException {
    String runId;
    try (FileStoreTracker first = tracker()) {
      runId = first.startRun("sft", "tiny-1", Map.of()).runId();
      first.finish(RunStatus.KILLED);
    }
    try (FileStoreTracker second = tracker()) {
      assertEquals(RunStatus.KILLED, second.reopenRun(runId).orElseThrow().previousStatus());
    }
    try (FileStoreTracker third = tracker()) {
      assertTrue(third.reopenRun("0123456789abcdef0123456789abcdef").isEmpty());
      assertThrows(IllegalArgumentException.class, () -> third.reopenRun("../0"));
    }
  }
}
