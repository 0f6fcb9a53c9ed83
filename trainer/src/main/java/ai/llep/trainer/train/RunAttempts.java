package ai.llep.trainer.train;

import ai.llep.trainer.tracking.ReopenedRun;
import ai.llep.trainer.tracking.RunStatus;
import ai.llep.trainer.tracking.Tracker;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One tracked run over several launches (attempts): a launch resumed from a checkpoint logs into
 * the run the checkpoint names, so the steps stay one series. Tags record the history: {@value
 * #ATTEMPT} counts the attempts, {@code llep.attempt.<n>.ended} says how attempt n ended (an
 * attempt that left the run RUNNING, killed with SIGKILL or crashed, reads {@code FAILED}, and the
 * tracker has ended the run as FAILED at its last metric before reopening it), and {@code
 * llep.attempt.<n>.resumed_from_step} where attempt n started. MLflow lets no parameter change, so
 * a resumed launch logs only parameters new to the run; changed ones are warned about and its whole
 * config is stored as {@code config-attempt<n>.conf}.
 */
final class RunAttempts {
  static final String ATTEMPT = "llep.attempt";
  // Differs between the first launch and every resumed one by its nature.
  private static final String RESUME_KEY = "train.resume";
  private static final Logger LOG = LogManager.getLogger(RunAttempts.class);

  private final Tracker tracker;
  private final ReopenedRun run;

  RunAttempts(Tracker tracker, ReopenedRun run) {
    this.tracker = tracker;
    this.run = run;
  }

  static String endedTag(int attempt) {
    return ATTEMPT + "." + attempt + ".ended";
  }

  static String resumedTag(int attempt) {
    return ATTEMPT + "." + attempt + ".resumed_from_step";
  }

  /** Records the new attempt, starting after {@code startStep}, and its new parameters. */
  void continueFrom(long startStep, Map<String, String> params, String resolvedConfig) {
    int previous = previousAttempt();
    int attempt = previous + 1;
    RunStatus status =
        run.previousStatus() == RunStatus.RUNNING ? RunStatus.FAILED : run.previousStatus();
    String ended =
        run.previousStatus() == RunStatus.RUNNING
            ? "FAILED (the process ended without closing the run; closed when resumed)"
            : status.name();
    tracker.setTag(endedTag(previous), ended);
    tracker.setTag(ATTEMPT, Integer.toString(attempt));
    tracker.setTag(resumedTag(attempt), Long.toString(startStep));
    Map<String, String> fresh = new TreeMap<>();
    Map<String, String> changed = new TreeMap<>();
    params.forEach(
        (key, value) -> {
          String logged = run.params().get(key);
          if (logged == null) {
            fresh.put(key, value);
          } else if (!logged.equals(value) && !key.equals(RESUME_KEY)) {
            changed.put(key, logged + " -> " + value);
          }
        });
    if (!fresh.isEmpty()) {
      tracker.logParams(fresh);
    }
    if (!changed.isEmpty()) {
      String name = "config-attempt" + attempt + ".conf";
      LOG.warn(
          "parameters changed since the run started, which MLflow keeps as first logged: {};"
              + " this attempt's config is the artifact {}",
          changed,
          name);
      tracker.logArtifact(name, resolvedConfig.getBytes(StandardCharsets.UTF_8));
    }
    LOG.info(
        "continuing run {} from step {} (attempt {}; attempt {} ended {})",
        run.run().runId(),
        startStep,
        attempt,
        previous,
        ended);
  }

  private int previousAttempt() {
    try {
      return Math.max(1, Integer.parseInt(run.tags().getOrDefault(ATTEMPT, "1").strip()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
