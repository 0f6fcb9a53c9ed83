package ai.llep.trainer.train;

import ai.llep.trainer.report.PngRendering;
import ai.llep.trainer.report.RunReport;
import ai.llep.trainer.tracking.FileStoreTracker;
import ai.llep.trainer.tracking.ReopenedRun;
import ai.llep.trainer.tracking.RunStatus;
import ai.llep.trainer.tracking.Tracker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.io.FileUtils;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * MLflow tracking from rank 0 (other ranks hold no tracker): run parameters, per-step metrics,
 * expert loads and the resolved config as artifacts, plots at the end, and the final status. A
 * resumed run continues the run its checkpoint names ({@link RunAttempts}). Tracking never stops
 * training: a tracker error is logged and tracking goes on without it, except that the run's final
 * status is still attempted (a run whose disk filled up mid-run still ends FAILED or FINISHED where
 * the store lets it).
 *
 * <p>Plots are drawn from a run folder in MLflow's file-store layout: the store's own with a file
 * store; with a server, a local copy of what this process logged (the loss and the expert loads),
 * whose plots are then uploaded.
 */
public final class RankZeroTracking implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(RankZeroTracking.class);
  private static final String PLOTS = "report";

  private final Tracker tracker;
  private boolean broken;
  private boolean ended;
  private final RunTracking settings;
  private final Map<String, String> params;
  private final String resolvedConfig;
  private String runId;
  private LocalCopy copy;
  private ExpertLoadArtifacts loads;

  /**
   * @param tracker null on ranks other than 0
   * @param params the command's config sections, logged as parameters
   * @param resolvedConfig the whole resolved config, stored as the artifact {@code config.conf}
   */
  public RankZeroTracking(
      Tracker tracker, RunTracking settings, Map<String, String> params, String resolvedConfig) {
    this.tracker = tracker;
    this.settings = settings;
    this.params = params;
    this.resolvedConfig = resolvedConfig;
  }

  /** The folder of a file store ({@code tracking.uri=file:...}) on rank 0; empty otherwise. */
  Optional<Path> localStore() {
    return tracker instanceof FileStoreTracker store ? Optional.of(store.root()) : Optional.empty();
  }

  /**
   * Starts the run, or continues {@code resumeRunId} (the run a resumed checkpoint names) where the
   * store still has it.
   */
  void start(long parameterCount, Optional<String> resumeRunId, long startStep) {
    guard(
        () -> {
          Optional<ReopenedRun> reopened = resumeRunId.flatMap(tracker::reopenRun);
          if (reopened.isPresent()) {
            runId = reopened.get().run().runId();
            new RunAttempts(tracker, reopened.get())
                .continueFrom(startStep, params, resolvedConfig);
          } else {
            resumeRunId.ifPresent(
                id ->
                    LOG.warn(
                        "the checkpoint's run {} is not in {}; tracking to a new run",
                        id,
                        settings.uri()));
            startNew(parameterCount, startStep);
          }
          copy = LocalCopy.of(tracker);
          loads =
              new ExpertLoadArtifacts(
                  (name, content) -> {
                    tracker.logArtifact(name, content);
                    copy.artifact(name, content);
                  });
        });
  }

  private void startNew(long parameterCount, long startStep) {
    String runName =
        settings.runName().isEmpty() ? "train-" + System.currentTimeMillis() : settings.runName();
    Map<String, String> tags =
        startStep > 0
            ? Map.of(
                "llep.parameters",
                Long.toString(parameterCount),
                RunAttempts.ATTEMPT,
                "1",
                RunAttempts.resumedTag(1),
                Long.toString(startStep))
            : Map.of("llep.parameters", Long.toString(parameterCount), RunAttempts.ATTEMPT, "1");
    // Known before anything else is logged, so that a failure from here on still ends the run.
    runId = tracker.startRun(settings.experiment(), runName, tags).runId();
    tracker.logParams(params);
    tracker.logArtifact("config.conf", resolvedConfig.getBytes(StandardCharsets.UTF_8));
  }

  /** The tracked run's id, once started (rank 0 only). */
  Optional<String> runId() {
    return Optional.ofNullable(tracker == null || broken ? null : runId);
  }

  void step(StepReport report) {
    guard(
        () -> {
          Map<String, Double> metrics = report.metrics();
          tracker.logMetrics(report.step(), metrics);
          copy.metric(report.step(), "loss", report.loss());
          loads.add(report);
        });
  }

  /** The optimizer state per rank ({@link OptimizerMemory}), tracked with step {@code step}. */
  void optimizerState(long step, Map<String, Double> metrics) {
    guard(() -> tracker.logMetrics(step, metrics));
  }

  /** An evaluation after a step: {@code eval_loss} and {@code eval_perplexity} at its step. */
  void evaluated(EvalResult result) {
    guard(
        () -> {
          tracker.logMetrics(result.step(), result.metrics());
          copy.metric(result.step(), EvalResult.LOSS, result.loss());
        });
  }

  /** A checkpoint of {@code step} is published: the expert loads up to it are stored. */
  void checkpointed(long step) {
    guard(() -> loads.flush());
  }

  /** Stores the expert loads, draws and stores the plots, and ends the run with {@code status}. */
  void finish(RunStatus status) {
    guard(
        () -> {
          loads.flush();
          plots();
        });
    end(status);
  }

  private void plots() {
    try {
      RunReport.write(copy.runDir(), copy.plots(PLOTS));
    } catch (RuntimeException | Error e) {
      if (!PngRendering.isMissingGraphics(e)) {
        throw e;
      }
      LOG.warn("report plots skipped: {}", PngRendering.explain(e));
      return;
    }
    copy.upload(PLOTS);
  }

  /** Marks the run failed (the caller is handling an error). */
  public void fail() {
    end(RunStatus.FAILED);
  }

  /** Sets the final status once, also after an earlier tracking error. */
  private void end(RunStatus status) {
    if (tracker == null || ended || runId == null) {
      return;
    }
    ended = true;
    try {
      tracker.finish(status);
    } catch (RuntimeException e) {
      LOG.warn("could not end the tracked run as {}: {}", status, e.getMessage());
    }
  }

  private void guard(Runnable call) {
    if (tracker == null || broken) {
      return;
    }
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("tracking failed ({}); training goes on without it", e.getMessage());
      broken = true;
    }
  }

  @Override
  public void close() {
    try {
      if (tracker != null) {
        try {
          tracker.close();
        } catch (RuntimeException e) {
          LOG.warn("closing the tracker: {}", e.getMessage());
        }
      }
    } finally {
      if (copy != null) {
        copy.close();
      }
    }
  }

  /**
   * The run folder the plots are drawn from: a file store's own folder, or for a server a temporary
   * one holding what this process logged.
   */
  private record LocalCopy(Tracker tracker, Path runDir, FileStoreTracker mirror, Path temp) {
    static LocalCopy of(Tracker tracker) {
      if (tracker instanceof FileStoreTracker fileStore) {
        return new LocalCopy(tracker, fileStore.runDir(), null, null);
      }
      try {
        Path temp = Files.createTempDirectory("llep-run-");
        FileStoreTracker mirror = new FileStoreTracker(temp.resolve("mlruns"));
        mirror.startRun("local", "local", Map.of());
        return new LocalCopy(tracker, mirror.runDir(), mirror, temp);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary folder for the plots", e);
      }
    }

    void metric(long step, String key, double value) {
      if (mirror != null) {
        mirror.logMetrics(step, Map.of(key, value));
      }
    }

    void artifact(String name, byte[] content) {
      if (mirror != null) {
        mirror.logArtifact(name, content);
      }
    }

    Path plots(String name) {
      return runDir.resolve("artifacts").resolve(name);
    }

    /** Sends the plots to a server; a file store has them in place already. */
    void upload(String name) {
      if (mirror != null && Files.isDirectory(plots(name))) {
        tracker.logArtifact(name, plots(name));
      }
    }

    void close() {
      if (mirror != null) {
        mirror.close();
        FileUtils.deleteQuietly(temp.toFile());
      }
    }
  }
}
