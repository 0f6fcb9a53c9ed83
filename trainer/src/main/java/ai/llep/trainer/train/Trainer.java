package ai.llep.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.models.ModelShard;
import ai.llep.models.Parameter;
import ai.llep.plan.Planner;
import ai.llep.trainer.checkpoint.Checkpoint;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.data.DataFile;
import ai.llep.trainer.data.EvalBatches;
import ai.llep.trainer.data.EvalSet;
import ai.llep.trainer.data.RankData;
import ai.llep.trainer.data.ShardedBatches;
import ai.llep.trainer.optim.Optimizer;
import ai.llep.trainer.tracking.RunStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    STOPPED,
    /**
     * Stopped early, the eval loss not improving ({@code train.early-stopping}), with a checkpoint
     * of that step (and exported).
     */
    EARLY_STOPPED
  }

  private final Communicator comm;
  private final NDManager manager;
  private final TrainSettings settings;
  private final PrecisionOptions precision;
  private final ModelSpec modelSpec;
  private final Planner planner;
  private final String resolvedConfig;
  private final RankZeroTracking tracking;

  /** Where each rank's training rows come from once the model and tokenizer are loaded. */
  interface BatchSource {
    ShardedBatches open(LoadedModel loaded, int rank, int worldSize);
  }

  /** Where each rank's eval batches come from (collective); empty without an eval set. */
  interface EvalSource {
    /** No eval set. */
    EvalSource NONE = (loaded, rank, worldSize) -> Optional.empty();

    Optional<EvalBatches> open(LoadedModel loaded, int rank, int worldSize);
  }

  private final StopRequest stop;
  private final PrintStream out;
  private final BatchSource data;
  private final EvalSource evalData;
  private String dataFingerprint;

  public Trainer(
      Communicator comm,
      NDManager manager,
      TrainSettings settings,
      PrecisionOptions precision,
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
        precision,
        modelSpec,
        planner,
        resolvedConfig,
        tracking,
        stop,
        out,
        (loaded, rank, worldSize) ->
            RankData.load(
                settings.data(),
                settings.seed(),
                loaded.tokenizer(),
                loaded.model().config().vocabSize(),
                loaded.template(),
                rank,
                worldSize,
                new CommSum(comm, manager)),
        (loaded, rank, worldSize) ->
            EvalSet.load(
                settings.data(),
                settings.seed(),
                loaded.tokenizer(),
                loaded.model().config().vocabSize(),
                loaded.template(),
                rank,
                worldSize,
                new CommSum(comm, manager)));
  }

  /** With other training and eval rows than the configured data files'. */
  Trainer(
      Communicator comm,
      NDManager manager,
      TrainSettings settings,
      PrecisionOptions precision,
      ModelSpec modelSpec,
      Planner planner,
      String resolvedConfig,
      RankZeroTracking tracking,
      StopRequest stop,
      PrintStream out,
      BatchSource data,
      EvalSource evalData) {
    this.data = data;
    this.evalData = evalData;
    this.comm = comm;
    this.manager = manager;
    this.settings = settings;
    this.precision = precision;
    this.modelSpec = modelSpec;
    this.planner = planner;
    this.resolvedConfig = resolvedConfig;
    this.tracking = tracking;
    this.stop = stop;
    this.out = out;
  }

  /**
   * Trains to {@code train.max-steps} or until a stop request. Before the model loads: the folders
   * it writes to are checked on every rank, and the ranks agree where to start ({@link
   * ResumeAgreement}).
   */
  public Outcome run() {
    ResumeAgreement.StartPoint start = startPoint();
    RunIdentity identity = identity(start.trainingRun());
    Checkpointer checkpointer =
        new Checkpointer(
            settings.checkpoint(),
            comm,
            manager,
            start.trainingRun(),
            Set.copyOf(start.rejected()));
    Optional<Checkpoint> resumeFrom = start.checkpoint();
    Optional<TrainerState> resumed = start.state();
    Precision numerics = startNumerics();
    LoadedModel loaded = load(resumeFrom, numerics);
    List<Parameter> trainable = TrainedParameters.trainable(loaded.model(), settings);
    Optimizer optimizer = OptimizerSetup.build(trainable, settings.optim(), numerics, comm);
    ShardedBatches batches = data.open(loaded, comm.rank(), comm.worldSize());
    Optional<Evaluation> evaluation =
        evalData
            .open(loaded, comm.rank(), comm.worldSize())
            .map(rows -> new Evaluation(comm, manager, loaded.model(), rows));
    long startStep = 0;
    if (resumed.isPresent()) {
      OptimizerCheckpoint.restore(
          optimizer, trainable, resumeFrom.get().dir(), comm.rank(), manager);
      batches.seek(resumed.get().position());
      startStep = resumed.get().step();
      say("resumed from " + resumeFrom.get().dir() + " at step " + startStep);
      resumed.get().evalProgress().ifPresent(checkpointer::pointBest);
    }
    OptimizerMemory optimizerMemory =
        OptimizerMemory.of(optimizer, trainable, settings.optim().zero(), comm, manager);
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
            memory,
            StepProfiler.of(
                settings.profile(),
                manager.getDevice(),
                comm.rank(),
                line -> {
                  say(line);
                  LOG.info(line);
                }));
    TrainingLoop loop =
        new TrainingLoop(
            comm,
            manager,
            settings,
            tracking,
            stop,
            new TrainingLoop.Saving(
                checkpointer, batches, loaded, optimizer, resolvedConfig, identity),
            memory,
            this::say,
            new Evaluations(
                evaluation, settings.eval(), resumed.flatMap(TrainerState::evalProgress)));
    TrainingLoop.Ending ending = loop.run(run, startStep);
    say(loop.summary().line(memory.label()));
    say(optimizerMemory.line());
    if (ending.step() > 0) {
      tracking.optimizerState(ending.step(), optimizerMemory.metrics());
    }
    loop.evalSummary(ending).forEach(this::say);
    return end(ending, checkpointer.lastPublished().or(() -> resumeFrom), loaded);
  }

  /** Checks the folders the run writes to, then agrees with the other ranks where to start. */
  private ResumeAgreement.StartPoint startPoint() {
    WritableFolders.require(writtenFolders(), comm.rank());
    return new ResumeAgreement(
            comm, manager, new CheckpointLayout(settings.checkpoint().dir()), settings, this::say)
        .agree(identity(RunIdentity.newTrainingRun()));
  }

  /**
   * Ends the tracked run; after the last step also exports {@code last} (rank 0's newest
   * checkpoint).
   */
  private Outcome end(TrainingLoop.Ending ending, Optional<Checkpoint> last, LoadedModel loaded) {
    if (ending.end() == TrainingLoop.End.STOP_REQUEST) {
      say(
          "stopped on request after step "
              + ending.step()
              + "; its checkpoint is in "
              + settings.checkpoint().dir()
              + " (continue with train.resume=latest)");
      tracking.finish(RunStatus.KILLED);
      return Outcome.STOPPED;
    }
    // The ranks part before the export: rank 0 writes it alone, and no collective waits on it.
    comm.barrier();
    if (settings.loop().exportDir().isPresent() && comm.rank() == 0 && settings.lora().lora()) {
      new AdapterExport(
              settings.loop().exportDir().get(),
              settings.lora(),
              precision.exportDtype().resolve(modelSpec),
              modelSpec,
              settings.seed())
          .write(last.orElseThrow(), loaded)
          .forEach(this::say);
    } else if (settings.loop().exportDir().isPresent() && comm.rank() == 0) {
      Path exported =
          new ModelExport(
                  settings.loop().exportDir().get(), precision.exportDtype().resolve(modelSpec))
              .write(last.orElseThrow(), loaded);
      say("exported the model in Hugging Face layout to " + exported);
    }
    tracking.finish(RunStatus.FINISHED);
    return ending.end() == TrainingLoop.End.EARLY_STOP ? Outcome.EARLY_STOPPED : Outcome.COMPLETED;
  }

  /** The folders the run writes to, by config key (the tracking store only on rank 0). */
  private Map<String, Path> writtenFolders() {
    Map<String, Path> folders = new LinkedHashMap<>();
    folders.put("checkpoint.dir", settings.checkpoint().dir());
    settings.loop().exportDir().ifPresent(dir -> folders.put("train.export-dir", dir));
    tracking.localStore().ifPresent(dir -> folders.put("tracking.uri", dir));
    return folders;
  }

  /**
   * This launch's run; rank 0, which alone writes the trainer state, fingerprints the data. A
   * held-out eval fraction is part of the data: it decides which lines train.
   */
  private RunIdentity identity(String trainingRun) {
    List<DataFile> files = settings.data().files();
    List<String> described = new ArrayList<>(files.stream().map(Trainer::describe).toList());
    if (settings.data().eval().heldOut()) {
      described.add("data.eval-fraction=" + settings.data().eval().fraction() + " held out");
    }
    return new RunIdentity(
        trainingRun,
        settings.seed(),
        comm.worldSize(),
        modelSpec.identity(),
        described,
        comm.rank() == 0 ? fingerprint(files.stream().map(DataFile::path).toList()) : "");
  }

  /** A data file as its absolute path, with its weight and format when they are not the default. */
  private static String describe(DataFile file) {
    String path = file.path().toAbsolutePath().normalize().toString();
    DataFile plain = DataFile.of(file.path());
    if (file.weight() == plain.weight() && file.format() == plain.format()) {
      return path;
    }
    return path + " (weight " + file.weight() + ", format " + file.format().spelling() + ")";
  }

  private String fingerprint(List<Path> files) {
    if (dataFingerprint == null) {
      dataFingerprint = DataFingerprint.of(files);
    }
    return dataFingerprint;
  }

  private LoadedModel load(Optional<Checkpoint> resumeFrom, Precision numerics) {
    if (settings.lora().lora()) {
      return LoraLoad.open(settings, modelSpec, resumeFrom, comm, planner, manager, numerics);
    }
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
              manager,
              numerics.computeType());
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

  /** {@code train.precision} on this rank's device: the mode, with TF32 switched to match. */
  private Precision startNumerics() {
    Precision numerics = precision.precision().on(manager.getDevice());
    String warning = numerics.applyMatmulMode(manager.getDevice());
    if (warning != null) {
      LOG.warn(warning);
    }
    say("precision: " + numerics.describe());
    say(
        "activation checkpointing: "
            + settings.loop().activationCheckpointing().name().toLowerCase(Locale.ROOT));
    return numerics;
  }

  private void say(String line) {
    if (comm.rank() == 0) {
      out.println(line);
      out.flush();
    }
    LOG.debug(line);
  }
}
