package ai.llep.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.trainer.data.ShardedBatches;
import ai.llep.trainer.optim.Optimizer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The steps of one launch: each step, then an evaluation when one is due, its tracking and progress
 * line, then a checkpoint when one is due, at the last step, when the ranks agreed to stop, at a
 * new best eval loss, or when early stopping's patience has run out (which ends the run). A step,
 * evaluation or checkpoint that is not finite ({@link NonFiniteStep}) stops the run with one error
 * naming the last good checkpoint, which is kept. Also tells the stop request how long steps and
 * saves take.
 */
final class TrainingLoop {
  /** How the steps ended. */
  enum End {
    /** {@code train.max-steps} reached. */
    LAST_STEP,
    /** A rank was asked to stop (a signal). */
    STOP_REQUEST,
    /** Early stopping: the eval loss stopped improving. */
    EARLY_STOP
  }

  /** Where and how the steps ended; step 0 when no step ran. */
  record Ending(End end, long step) {}

  /** What a checkpoint is made of, and where it goes. */
  record Saving(
      Checkpointer checkpointer,
      ShardedBatches batches,
      LoadedModel loaded,
      Optimizer optimizer,
      String resolvedConfig,
      RunIdentity identity) {}

  private final Communicator comm;
  private final NDManager manager;
  private final TrainSettings settings;
  private final RankZeroTracking tracking;
  private final StopRequest stop;
  private final Saving saving;
  private final MemoryGauge memory;
  private final Consumer<String> say;
  private final Evaluations evaluations;
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
      Consumer<String> say,
      Evaluations evaluations) {
    this.evaluations = evaluations;
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

  /** Runs the steps after {@code startStep}; says where and how they ended. */
  Ending run(TrainingRun run, long startStep) {
    lastSaved = startStep;
    int maxSteps = settings.loop().maxSteps();
    long loopStart = System.nanoTime();
    for (long step = startStep + 1; step <= maxSteps; step++) {
      StepReport report;
      Optional<EvalResult> eval;
      try {
        report = run.step(step, this::maybeKillSelf);
        // A stopping run saves and ends at once; the evaluation waits for the resumed run.
        eval = report.stop() ? Optional.empty() : evaluations.after(step, maxSteps);
      } catch (NonFiniteStep e) {
        throw diverged(e);
      }
      tracking.step(report);
      eval.ifPresent(tracking::evaluated);
      summary.add(report);
      longestStep =
          longer(longestStep, report.seconds() + eval.map(EvalResult::seconds).orElse(0.0));
      boolean best = eval.isPresent() && evaluations.bestAt(step);
      End end = end(step, report, eval.isPresent());
      boolean last = end != null;
      if (step % settings.loop().logEvery() == 0
          || step == startStep + 1
          || last
          || eval.isPresent()) {
        double perStep = (System.nanoTime() - loopStart) / 1e9 / (step - startStep);
        say.accept(
            report.progressLine(maxSteps, perStep * (maxSteps - step), memory.label())
                + eval.map(e -> e.progressPart(best)).orElse(""));
      }
      if (settings.checkpoint().due(step) || last || best) {
        try {
          save(step, report.loss());
        } catch (NonFiniteStep e) {
          throw diverged(e);
        }
      }
      stop.expect(longestStep, longestSave);
      if (last) {
        return new Ending(end, step);
      }
    }
    return new Ending(End.LAST_STEP, startStep);
  }

  /** How the run ends after {@code step}, or null when it goes on. */
  private End end(long step, StepReport report, boolean evaluated) {
    if (report.stop()) {
      return End.STOP_REQUEST;
    }
    if (step == settings.loop().maxSteps()) {
      return End.LAST_STEP;
    }
    return evaluated && evaluations.exhausted() ? End.EARLY_STOP : null;
  }

  /** The lines the evaluations add to the run's end ({@link Evaluations#summary}). */
  List<String> evalSummary(Ending ending) {
    return evaluations.summary(
        settings.checkpoint().dir().toAbsolutePath().normalize().resolve("best"),
        ending.end() == End.EARLY_STOP,
        ending.step());
  }

  private void save(long step, double loss) {
    long start = System.nanoTime();
    ShardedBatches.Position p = saving.batches().position();
    TrainerState state =
        TrainerState.of(
            step,
            p,
            loss,
            tracking.runId().orElse(null),
            saving.identity(),
            evaluations.progress());
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

  /**
   * The run's error for a non-finite step: on rank 0 the whole story, on the others a pointer to it
   * (every rank reached the same point together).
   */
  private RuntimeException diverged(NonFiniteStep e) {
    String kept =
        lastSaved > 0
            ? "the last good checkpoint, "
                + saving.checkpointer().stepDir(lastSaved)
                + ", is kept: continue from it with train.resume=latest once the cause is fixed"
                + " (a lower optim.lr, for instance)"
            : "no checkpoint was written yet";
    String message = e.getMessage() + "; training stopped (" + kept + ")";
    return comm.rank() == 0
        ? new TrainingDiverged(message)
        : new StoppedWithRankZero(e.getMessage() + "; stopping with rank 0 (see its error)");
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
