package ai.llep.trainer.train;

import ai.llep.trainer.report.PngRendering;
import ai.llep.trainer.report.RunReport;
import ai.llep.trainer.tracking.FileStoreTracker;
import ai.llep.trainer.tracking.RunStatus;
import ai.llep.trainer.tracking.Tracker;
import java.nio.file.Path;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * MLflow tracking from rank 0 (other ranks hold no tracker): run parameters, per-step metrics, the
 * resolved config as an artifact, and the final status. Tracking never stops training: a tracker
 * error is logged and tracking goes on without it.
 */
public final class RankZeroTracking implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(RankZeroTracking.class);

  private Tracker tracker;
  private final RunTracking settings;
  private final Map<String, String> params;
  private final String resolvedConfig;

  /**
   * @param tracker null on ranks other than 0
   */
  public RankZeroTracking(
      Tracker tracker, RunTracking settings, Map<String, String> params, String resolvedConfig) {
    this.tracker = tracker;
    this.settings = settings;
    this.params = params;
    this.resolvedConfig = resolvedConfig;
  }

  void start(long parameterCount) {
    guard(
        () -> {
          String runName =
              settings.runName().isEmpty()
                  ? "train-" + System.currentTimeMillis()
                  : settings.runName();
          tracker.startRun(
              settings.experiment(),
              runName,
              Map.of("llep.parameters", Long.toString(parameterCount)));
          tracker.logParams(params);
          tracker.logArtifact(
              "config.conf", resolvedConfig.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
  }

  void step(StepReport report) {
    guard(() -> tracker.logMetrics(report.step(), report.metrics()));
  }

  /** Adds the report plots (file store) and marks the run finished. */
  void finish() {
    guard(
        () -> {
          if (tracker instanceof FileStoreTracker fileStore) {
            Path plots = fileStore.runDir().resolve("artifacts").resolve("report");
            try {
              RunReport.write(fileStore.runDir(), plots);
            } catch (RuntimeException | Error e) {
              if (!PngRendering.isMissingGraphics(e)) {
                throw e;
              }
              LOG.warn("report plots skipped: {}", PngRendering.explain(e));
            }
          }
          tracker.finish(RunStatus.FINISHED);
        });
  }

  /** Marks the run failed (the caller is handling an error). */
  public void fail() {
    guard(() -> tracker.finish(RunStatus.FAILED));
  }

  private void guard(Runnable call) {
    if (tracker == null) {
      return;
    }
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("tracking failed ({}); training goes on without it", e.getMessage());
      tracker = null;
    }
  }

  @Override
  public void close() {
    if (tracker != null) {
      tracker.close();
    }
  }
}
