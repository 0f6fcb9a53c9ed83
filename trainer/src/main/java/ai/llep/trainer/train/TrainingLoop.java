package ai.llep.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.trainer.data.ShardedBatches;
import ai.llep.trainer.optim.AdamW;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The steps of one launch: each step, then its tracking and progress line, then a checkpoint when
 * one is due, at the last step or when the ranks agreed to stop. Also watches the loss (a
 * non-finite one stops the run) and tells the stop request how long steps and saves take.
 */
final class TrainingLoop {
  /** What a checkpoint is made of, and where it goes. */
  record Saving(
      Checkpointer checkpointer,
      ShardedBatches batches,
      LoadedModel loaded,
      AdamW optimizer,
      String resolvedConfig) {}

  private final Communicator comm;
  private final NDManager manager;
  private final TrainSettings settings;
  private final RankZeroTracking tracking;
  private final StopRequest stop;
  private final Saving saving;
  private final MemoryGauge memory;
  private final Consumer<String> say;
  private final RunSummary summary = new RunSummary();
  private Duration longestStep = Duration.ZERO;
  private Duration longestSave = Duration.ZERO;
  private long lastSaved;

  TrainingLoop(
      Communicator comm,
      NDManager manager,
      TrainSettings settings,
      RankZeroTracking tracking,
      StopRequest stop,
      Saving saving,
      MemoryGauge memory,
      Consumer<String> say) {
    this.comm = comm;
    this.manager = manager;
    this.settings = settings;
    this.tracking = tracking;
    this.stop = stop;
    this.saving = saving;
    this.memory = memory;
    this.say = say;
  }

  RunSummary summary() {
    return summary;
  }

  /** Runs the steps after {@code startStep}; returns the step it stopped at on request, or 0. */
  long run(TrainingRun run, long startStep) {
    lastSaved = startStep;
    int maxSteps = settings.loop().maxSteps();
    long loopStart = System.nanoTime();
    for (long step = startStep + 1; step <= maxSteps; step++) {
      StepReport report = run.step(step, this::maybeKillSelf);
      requireFinite(report);
      tracking.step(report);
      summary.add(report);
      longestStep = longer(longestStep, report.seconds());
      boolean last = step == maxSteps || report.stop();
      if (step % settings.loop().logEvery() == 0 || step == startStep + 1 || last) {
        double perStep = (System.nanoTime() - loopStart) / 1e9 / (step - startStep);
        say.accept(report.progressLine(maxSteps, perStep * (maxSteps - step), memory.label()));
      }
      if (settings.checkpoint().due(step) || last) {
        save(step, report.loss());
      }
      stop.expect(longestStep, longestSave);
      if (report.stop()) {
        return step;
      }
    }
    return 0;
  }

  private void save(long step, double loss) {
    long start = System.nanoTime();
    ShardedBatches.Position p = saving.batches().position();
    TrainerState state =
        new TrainerState(
            step,
            p.epoch(),
            p.cursor(),
            settings.seed(),
            comm.worldSize(),
            loss,
            tracking.runId().orElse(null));
    Path saved;
    try (NDManager scope = manager.newSubManager()) {
      saved =
          saving
              .checkpointer()
              .save(
                  state,
                  saving.loaded().model(),
                  saving.optimizer(),
                  saving.resolvedConfig(),
                  scope);
    }
    lastSaved = step;
    longestSave = longer(longestSave, (System.nanoTime() - start) / 1e9);
    say.accept("checkpoint step " + step + " -> " + saved);
    tracking.checkpointed(step);
  }

  private void requireFinite(StepReport report) {
    if (Double.isFinite(report.loss())) {
      return;
    }
    String where =
        lastSaved > 0
            ? "the last good checkpoint is step " + lastSaved + " in " + settings.checkpoint().dir()
            : "no checkpoint was written yet";
    throw new TrainingDiverged(
        "loss is " + report.loss() + " at step " + report.step() + "; stopping (" + where + ")");
  }

  /** {@code debug.sigkill-rank} / {@code debug.sigkill-step}: a real SIGKILL mid-step. */
  private void maybeKillSelf(long step) {
    SelfKill kill = settings.selfKill();
    if (!kill.at(comm.rank(), step)) {
      return;
    }
    System.err.println("debug.sigkill-rank=" + kill.rank() + ": SIGKILL at step " + step);
    System.err.flush();
    try {
      new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid()))
          .start()
          .waitFor();
      Thread.sleep(10_000);
    } catch (Exception e) {
      Runtime.getRuntime().halt(137);
    }
  }

  private static Duration longer(Duration so, double seconds) {
    Duration now = Duration.ofNanos((long) (seconds * 1e9));
    return now.compareTo(so) > 0 ? now : so;
  }
}
