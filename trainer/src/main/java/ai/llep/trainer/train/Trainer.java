package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.Communicator;
import ai.llep.models.ModelShard;
import ai.llep.models.Parameter;
import ai.llep.plan.Planner;
import ai.llep.trainer.checkpoint.Checkpoint;
import ai.llep.trainer.data.ShardedBatches;
import ai.llep.trainer.optim.AdamW;
import ai.llep.trainer.optim.AdamWConfig;
import ai.llep.trainer.optim.AdamWState;
import ai.llep.trainer.optim.LrSchedule;
import ai.llep.trainer.optim.OptimParam;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The train command's work on one rank: data, model (fresh or resumed), optimizer, the loop with
 * progress, tracking and checkpoints, and the final export in Hugging Face layout.
 */
public final class Trainer {
  private static final Logger LOG = LogManager.getLogger(Trainer.class);

  /** Where each rank's training rows come from once the model and tokenizer are loaded. */
  interface BatchSource {
    ShardedBatches open(LoadedModel loaded, int rank, int worldSize);
  }

  private final Communicator comm;
  private final NDManager manager;
  private final TrainSettings settings;
  private final ModelSpec modelSpec;
  private final Planner planner;
  private final String resolvedConfig;
  private final RankZeroTracking tracking;
  private final PrintStream out;
  private final BatchSource data;

  public Trainer(
      Communicator comm,
      NDManager manager,
      TrainSettings settings,
      ModelSpec modelSpec,
      Planner planner,
      String resolvedConfig,
      RankZeroTracking tracking,
      PrintStream out) {
    this(
        comm,
        manager,
        settings,
        modelSpec,
        planner,
        resolvedConfig,
        tracking,
        out,
        (loaded, rank, worldSize) ->
            TrainingData.load(settings, loaded.tokenizer(), loaded.template(), rank, worldSize));
  }

  /** With other rows than the configured data files' (the parity tests' fixed batch). */
  Trainer(
      Communicator comm,
      NDManager manager,
      TrainSettings settings,
      ModelSpec modelSpec,
      Planner planner,
      String resolvedConfig,
      RankZeroTracking tracking,
      PrintStream out,
      BatchSource data) {
    this.comm = comm;
    this.manager = manager;
    this.settings = settings;
    this.modelSpec = modelSpec;
    this.planner = planner;
    this.resolvedConfig = resolvedConfig;
    this.tracking = tracking;
    this.out = out;
    this.data = data;
  }

  /** Trains to {@code train.max-steps}; returns the final step's report. */
  public StepReport run() {
    Checkpointer checkpointer =
        new Checkpointer(settings.checkpointDir(), comm, settings.keepLast());
    Optional<Checkpoint> resumeFrom = resumePoint(checkpointer);
    ModelShard shard = new ModelShard(comm.rank(), comm.worldSize());
    CheckpointTensors weights =
        resumeFrom.map(c -> new CheckpointTensors(c.dir(), Checkpointer.MODEL_FILE)).orElse(null);
    LoadedModel loaded =
        LoadedModel.open(
            modelSpec, weights, settings.template(), settings.seed(), shard, planner, manager);
    if (weights != null) {
      weights.close();
    }
    settings.frozen().forEach(kind -> loaded.model().parameters().setTrainable(kind, false));
    List<Parameter> trainable =
        loaded.model().parameters().all().stream()
            .filter(p -> !settings.frozen().contains(p.kind()))
            .toList();
    AdamW optimizer =
        new AdamW(
            trainable.stream().map(p -> OptimParam.of(p.name(), p.array())).toList(),
            new AdamWConfig(
                settings.beta1(), settings.beta2(), settings.eps(), settings.weightDecay()));
    ShardedBatches batches = data.open(loaded, comm.rank(), comm.worldSize());
    long startStep = 0;
    if (resumeFrom.isPresent()) {
      TrainerState state = Checkpointer.readState(resumeFrom.get());
      restoreOptimizer(optimizer, trainable, resumeFrom.get().dir());
      batches.seek(state.position());
      startStep = state.step();
      say("resumed from " + resumeFrom.get().dir() + " at step " + startStep);
    }
    tracking.start(loaded.model().parameters().elementCount());
    LrSchedule schedule = schedule();
    TrainingRun run =
        new TrainingRun(comm, manager, settings, loaded.model(), optimizer, schedule, batches);
    StepReport last = null;
    long lastSaved = startStep;
    long loopStart = System.nanoTime();
    for (long step = startStep + 1; step <= settings.maxSteps(); step++) {
      last = run.step(step, this::maybeKillSelf);
      if (!Double.isFinite(last.loss())) {
        String where =
            lastSaved > 0
                ? "the last good checkpoint is step "
                    + lastSaved
                    + " in "
                    + settings.checkpointDir()
                : "no checkpoint was written yet";
        throw new TrainingDiverged(
            "loss is " + last.loss() + " at step " + step + "; stopping (" + where + ")");
      }
      tracking.step(last);
      if (step % settings.logEvery() == 0 || step == startStep + 1 || step == settings.maxSteps()) {
        double perStep = (System.nanoTime() - loopStart) / 1e9 / (step - startStep);
        say(last.progressLine(settings.maxSteps(), perStep * (settings.maxSteps() - step)));
      }
      boolean due = settings.checkpointEvery() > 0 && step % settings.checkpointEvery() == 0;
      if (due || step == settings.maxSteps()) {
        Path saved = save(checkpointer, step, batches, last.loss(), loaded, optimizer);
        lastSaved = step;
        say("checkpoint step " + step + " -> " + saved);
      }
    }
    if (settings.exportDir() != null && comm.rank() == 0) {
      Path exported =
          new ModelExport(settings.exportDir()).write(checkpointer.latest().orElseThrow(), loaded);
      say("exported the model in Hugging Face layout to " + exported);
    }
    comm.barrier();
    tracking.finish();
    return last;
  }

  private Optional<Checkpoint> resumePoint(Checkpointer checkpointer) {
    String resume = settings.resume();
    if (resume.equals("none")) {
      return Optional.empty();
    }
    if (resume.equals("latest")) {
      Optional<Checkpoint> latest = checkpointer.latest();
      if (latest.isEmpty()) {
        say(
            "train.resume=latest: no complete checkpoint in "
                + settings.checkpointDir()
                + "; starting fresh");
      }
      return latest;
    }
    throw new IllegalArgumentException("train.resume must be none or latest, got '" + resume + "'");
  }

  private void restoreOptimizer(AdamW optimizer, List<Parameter> trainable, Path dir) {
    try (CheckpointTensors moments = new CheckpointTensors(dir, Checkpointer.OPTIMIZER_FILE);
        NDManager scope = manager.newSubManager()) {
      Map<String, NDArray> tensors = new HashMap<>();
      for (Parameter p : trainable) {
        for (String suffix : List.of(AdamWState.FIRST_MOMENT, AdamWState.SECOND_MOMENT)) {
          NDList slices = new NDList();
          for (String name : p.checkpointNames()) {
            slices.add(moments.read(name + suffix, scope, DataType.FLOAT32));
          }
          tensors.put(p.name() + suffix, p.stacked() ? NDArrays.stack(slices, 0) : slices.get(0));
        }
      }
      long step = Long.parseLong(moments.metadata().getOrDefault("step", "0"));
      optimizer.importState(new AdamWState(step, tensors));
    }
  }

  private Path save(
      Checkpointer checkpointer,
      long step,
      ShardedBatches batches,
      double loss,
      LoadedModel loaded,
      AdamW optimizer) {
    ShardedBatches.Position p = batches.position();
    TrainerState state =
        new TrainerState(step, p.epoch(), p.cursor(), settings.seed(), comm.worldSize(), loss);
    try (NDManager scope = manager.newSubManager()) {
      return checkpointer.save(state, loaded.model(), optimizer, resolvedConfig, scope);
    }
  }

  private LrSchedule schedule() {
    LrSchedule.Decay decay =
        switch (settings.schedule()) {
          case "cosine" -> LrSchedule.Decay.COSINE;
          case "linear" -> LrSchedule.Decay.LINEAR;
          case "constant" -> LrSchedule.Decay.CONSTANT;
          default ->
              throw new IllegalArgumentException(
                  "optim.schedule must be cosine, linear or constant, got " + settings.schedule());
        };
    int warmup = Math.min(settings.warmupSteps(), settings.maxSteps());
    return new LrSchedule(settings.lr(), warmup, settings.maxSteps(), settings.minLrRatio(), decay);
  }

  /**
   * {@code debug.sigkill-rank} / {@code debug.sigkill-step}: a real SIGKILL mid-step, for tests.
   */
  private void maybeKillSelf(long step) {
    if (comm.rank() == settings.failRank() && step == settings.failStep()) {
      System.err.println("debug.sigkill-rank=" + settings.failRank() + ": SIGKILL at step " + step);
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
  }

  private void say(String line) {
    if (comm.rank() == 0) {
      out.println(line);
      out.flush();
    }
    LOG.debug(line);
  }
}
