package ai.llep.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.models.ModelShard;
import ai.llep.models.Parameter;
import ai.llep.plan.Planner;
import ai.llep.trainer.checkpoint.Checkpoint;
import ai.llep.trainer.data.ShardedBatches;
import ai.llep.trainer.optim.AdamW;
import ai.llep.trainer.optim.OptimParam;
import ai.llep.trainer.tracking.RunStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The train command's work on one rank: data, model (fresh or resumed), optimizer, the loop with
 * progress, tracking and checkpoints, and the final export in Hugging Face layout. A stop request
 * ends the loop after the step in flight, on every rank at the same step, with a checkpoint.
 */
public final class Trainer {
  private static final Logger LOG = LogManager.getLogger(Trainer.class);

  /** How a run ended without an error. */
  public enum Outcome {
    /** Trained to {@code train.max-steps} (and exported). */
    COMPLETED,
    /** Stopped on request after a step, with a checkpoint of that step. */
    STOPPED
  }

  private final Communicator comm;
  private final NDManager manager;
  private final TrainSettings settings;
  private final ModelSpec modelSpec;
  private final Planner planner;
  private final String resolvedConfig;
  private final RankZeroTracking tracking;

  /** Where each rank's training rows come from once the model and tokenizer are loaded. */
  interface BatchSource {
    ShardedBatches open(LoadedModel loaded, int rank, int worldSize);
  }

  private final StopRequest stop;
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
      StopRequest stop,
      PrintStream out) {
    this(
        comm,
        manager,
        settings,
        modelSpec,
        planner,
        resolvedConfig,
        tracking,
        stop,
        out,
        (loaded, rank, worldSize) ->
            TrainingData.load(
                settings.data(),
                settings.seed(),
                loaded.tokenizer(),
                loaded.template(),
                rank,
                worldSize));
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
      StopRequest stop,
      PrintStream out,
      BatchSource data) {
    this.data = data;
    this.comm = comm;
    this.manager = manager;
    this.settings = settings;
    this.modelSpec = modelSpec;
    this.planner = planner;
    this.resolvedConfig = resolvedConfig;
    this.tracking = tracking;
    this.stop = stop;
    this.out = out;
  }

  /** Trains to {@code train.max-steps} or until a stop request. */
  public Outcome run() {
    Checkpointer checkpointer = new Checkpointer(settings.checkpoint(), comm);
    Optional<Checkpoint> resumeFrom = resumePoint(checkpointer);
    Optional<TrainerState> resumed = resumeFrom.map(Checkpointer::readState);
    LoadedModel loaded = load(resumeFrom);
    List<Parameter> trainable =
        loaded.model().parameters().all().stream()
            .filter(p -> !settings.loop().frozen().contains(p.kind()))
            .toList();
    AdamW optimizer =
        new AdamW(
            trainable.stream().map(p -> OptimParam.of(p.name(), p.array())).toList(),
            settings.optim().adamw());
    ShardedBatches batches = data.open(loaded, comm.rank(), comm.worldSize());
    long startStep = 0;
    if (resumed.isPresent()) {
      Checkpointer.restoreOptimizer(optimizer, trainable, resumeFrom.get().dir(), manager);
      batches.seek(resumed.get().position());
      startStep = resumed.get().step();
      say("resumed from " + resumeFrom.get().dir() + " at step " + startStep);
    }
    stop.arm();
    tracking.start(
        loaded.model().parameters().elementCount(),
        resumed.flatMap(TrainerState::trackedRun),
        startStep);
    MemoryGauge memory = MemoryGauge.of(manager.getDevice());
    TrainingRun run =
        new TrainingRun(
            comm,
            manager,
            settings,
            loaded.model(),
            optimizer,
            settings.optim().schedule(settings.loop().maxSteps()),
            batches,
            stop,
            memory);
    TrainingLoop loop =
        new TrainingLoop(
            comm,
            manager,
            settings,
            tracking,
            stop,
            new TrainingLoop.Saving(checkpointer, batches, loaded, optimizer, resolvedConfig),
            memory,
            this::say);
    long stoppedAt = loop.run(run, startStep);
    say(loop.summary().line(memory.label()));
    if (stoppedAt > 0) {
      say(
          "stopped on request after step "
              + stoppedAt
              + "; its checkpoint is in "
              + settings.checkpoint().dir()
              + " (continue with train.resume=latest)");
      tracking.finish(RunStatus.KILLED);
      return Outcome.STOPPED;
    }
    if (settings.loop().exportDir().isPresent() && comm.rank() == 0) {
      Path exported =
          new ModelExport(settings.loop().exportDir().get())
              .write(checkpointer.latest().orElseThrow(), loaded);
      say("exported the model in Hugging Face layout to " + exported);
    }
    comm.barrier();
    tracking.finish(RunStatus.FINISHED);
    return Outcome.COMPLETED;
  }

  private LoadedModel load(Optional<Checkpoint> resumeFrom) {
    ModelShard shard = new ModelShard(comm.rank(), comm.worldSize());
    CheckpointTensors weights =
        resumeFrom.map(c -> new CheckpointTensors(c.dir(), Checkpointer.MODEL_FILE)).orElse(null);
    try {
      LoadedModel loaded =
          LoadedModel.open(
              modelSpec,
              weights,
              settings.data().template(),
              settings.seed(),
              shard,
              planner,
              manager);
      settings
          .loop()
          .frozen()
          .forEach(kind -> loaded.model().parameters().setTrainable(kind, false));
      return loaded;
    } finally {
      if (weights != null) {
        weights.close();
      }
    }
  }

  private Optional<Checkpoint> resumePoint(Checkpointer checkpointer) {
    if (settings.loop().resume() == LoopOptions.Resume.NONE) {
      return Optional.empty();
    }
    Optional<Checkpoint> latest = checkpointer.latest();
    if (latest.isEmpty()) {
      say(
          "train.resume=latest: no complete checkpoint in "
              + settings.checkpoint().dir()
              + "; starting fresh");
    }
    return latest;
  }

  private void say(String line) {
    if (comm.rank() == 0) {
      out.println(line);
      out.flush();
    }
    LOG.debug(line);
  }
}
