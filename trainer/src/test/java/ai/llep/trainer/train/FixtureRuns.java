package ai.llep.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import ai.llep.trainer.data.DataFile;
import ai.llep.trainer.data.DataOptions;
import ai.llep.trainer.data.EvalBatches;
import ai.llep.trainer.data.EvalData;
import ai.llep.trainer.data.PackedSequence;
import ai.llep.trainer.data.ShardedBatches;
import ai.llep.trainer.optim.AdamWConfig;
import ai.llep.trainer.optim.OptimOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Short training runs of the tiny Mixtral parity fixture through {@link Trainer}, with every rank a
 * thread of this JVM: the launches of the checkpoint and divergence tests, without a process each.
 */
final class FixtureRuns {
  static final ParityFixture FIXTURE = ParityFixture.named("mixtral");

  private FixtureRuns() {}

  /** What each rank of one launch did, and what rank 0 tracked and printed. */
  record Launch(List<Throwable> errors, MetricsRecorder metrics, String output) {
    Throwable error(int rank) {
      return errors.get(rank);
    }

    boolean succeeded() {
      return errors.stream().allMatch(e -> e == null);
    }

    /** Fails with every rank's error when a rank failed. */
    Launch requireSuccess() {
      if (!succeeded()) {
        AssertionError failed = new AssertionError("a rank failed:\n" + output);
        errors.stream().filter(e -> e != null).forEach(failed::addSuppressed);
        throw failed;
      }
      return this;
    }
  }

  /**
   * Settings of a run over {@code dir}: the fixture's optimizer, every row in each step, a
   * checkpoint after every step in {@code dir/checkpoints}, no export, and data files that are a
   * copy of the fixture's batch in {@code dir} (so that a test may change them). Synchronized: the
   * ranks of a launch ask for their settings at once, and the first one copies the data.
   */
  static synchronized TrainSettings settings(Path dir, int world, int maxSteps) {
    TrainSettings base = FIXTURE.settings(world, 1, dir.resolve("checkpoints"), dir.resolve("x"));
    Path data = dir.resolve("batch.json");
    try {
      if (!Files.exists(data)) {
        Files.copy(base.data().files().getFirst().path(), data);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LoopOptions loop = base.loop();
    return new TrainSettings(
        new LoopOptions(
            maxSteps,
            loop.gradAccum(),
            loop.frozen(),
            1,
            loop.resume(),
            Optional.empty(),
            loop.activationCheckpointing(),
            loop.resumeAllow()),
        new DataOptions(
            List.of(DataFile.of(data)),
            base.data().template(),
            base.data().maxLength(),
            base.data().packing(),
            base.data().batchSize(),
            false,
            base.data().truncation()),
        base.optim(),
        new CheckpointOptions(dir.resolve("checkpoints"), 1, 5),
        base.seed(),
        SelfKill.NONE);
  }

  static TrainSettings resume(TrainSettings s, Set<LoopOptions.ResumeChange> allowed) {
    LoopOptions l = s.loop();
    return s.withLoop(
        new LoopOptions(
            l.maxSteps(),
            l.gradAccum(),
            l.frozen(),
            l.logEvery(),
            LoopOptions.Resume.LATEST,
            l.exportDir(),
            l.activationCheckpointing(),
            allowed));
  }

  static TrainSettings withCheckpoint(TrainSettings s, CheckpointOptions checkpoint) {
    return s.withCheckpoint(checkpoint);
  }

  static TrainSettings withExport(TrainSettings s, Path exportDir) {
    LoopOptions l = s.loop();
    return s.withLoop(
        new LoopOptions(
            l.maxSteps(),
            l.gradAccum(),
            l.frozen(),
            l.logEvery(),
            l.resume(),
            Optional.of(exportDir),
            l.activationCheckpointing(),
            l.resumeAllow()));
  }

  static TrainSettings withProfile(TrainSettings s, ProfileOptions profile) {
    return s.withProfile(profile);
  }

  static TrainSettings withSeed(TrainSettings s, long seed) {
    return s.withSeed(seed);
  }

  /** With the optimizer's learning rate and weight decay replaced. */
  static TrainSettings withOptim(TrainSettings s, double lr, double weightDecay) {
    OptimOptions o = s.optim();
    AdamWConfig a = o.adamw();
    return s.withOptim(
        new OptimOptions(
            lr,
            o.minLrRatio(),
            o.warmupSteps(),
            o.decay(),
            new AdamWConfig(a.beta1(), a.beta2(), a.eps(), weightDecay),
            o.gradClip()));
  }

  /** With {@code optim.zero=zero}. */
  static TrainSettings withZero(TrainSettings s, int zero) {
    return s.withOptim(s.optim().withZero(zero));
  }

  /** With {@code data.batch-size=batchSize} rows per rank and step. */
  static TrainSettings withBatchSize(TrainSettings s, int batchSize) {
    DataOptions d = s.data();
    return s.withData(
        new DataOptions(
            d.files(),
            d.template(),
            d.maxLength(),
            d.packing(),
            batchSize,
            d.skipBadLines(),
            d.truncation(),
            d.eval()));
  }

  /** One launch on {@code world} ranks, each with the settings {@code settingsOf} gives it. */
  static Launch launch(int world, IntFunction<TrainSettings> settingsOf) throws Exception {
    return launch(world, settingsOf, List.of(), FixtureRuns::epPlanner);
  }

  /**
   * With the eval set {@code evalRows} (shared out as {@link ai.llep.trainer.data.EvalSet} does:
   * rank r takes rows r, r + P, ...) and each rank's planner from {@code planners}.
   */
  static Launch launch(
      int world,
      IntFunction<TrainSettings> settingsOf,
      List<PackedSequence> evalRows,
      Supplier<Planner> planners)
      throws Exception {
    return launch(world, settingsOf, evalRows, planners, fixtureModel(), PrecisionOptions.FLOAT32);
  }

  /** Training {@code model} (on the fixture's rows) instead of the fixture's model. */
  static Launch launch(int world, IntFunction<TrainSettings> settingsOf, ModelSpec model)
      throws Exception {
    return launch(world, settingsOf, model, PrecisionOptions.FLOAT32);
  }

  /** Training {@code model} in {@code precision}. */
  static Launch launch(
      int world, IntFunction<TrainSettings> settingsOf, ModelSpec model, PrecisionOptions precision)
      throws Exception {
    return launch(world, settingsOf, List.of(), FixtureRuns::epPlanner, model, precision);
  }

  private static Launch launch(
      int world,
      IntFunction<TrainSettings> settingsOf,
      List<PackedSequence> evalRows,
      Supplier<Planner> planners,
      ModelSpec model,
      PrecisionOptions precision)
      throws Exception {
    MetricsRecorder metrics = new MetricsRecorder();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    List<Throwable> errors = new ArrayList<>();
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      if (world == 1) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
          run(
              settingsOf.apply(0),
              new SingleProcessCommunicator(),
              manager,
              metrics,
              out,
              evalRows,
              planners.get(),
              model,
              precision);
          errors.add(null);
        } catch (RuntimeException e) {
          errors.add(e);
        }
      } else {
        TcpOptions tcp = new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(20), "");
        try (LocalWorld ranks = LocalWorld.start(world, tcp)) {
          for (LocalWorld.Outcome<Trainer.Outcome> outcome :
              ranks.run(
                  (rank, comm, manager) ->
                      run(
                          settingsOf.apply(rank),
                          comm,
                          manager,
                          rank == 0 ? metrics : null,
                          rank == 0 ? out : new PrintStream(PrintStream.nullOutputStream()),
                          evalRows,
                          planners.get(),
                          model,
                          precision))) {
            errors.add(outcome.error());
          }
        }
      }
    }
    return new Launch(errors, metrics, output.toString(StandardCharsets.UTF_8));
  }

  /** One rank's launch, ending its tracked run FAILED on an error as the train command does. */
  private static Trainer.Outcome run(
      TrainSettings settings,
      Communicator comm,
      NDManager manager,
      MetricsRecorder metrics,
      PrintStream out,
      List<PackedSequence> evalRows,
      Planner planner,
      ModelSpec model,
      PrecisionOptions precision) {
    RankZeroTracking tracking =
        new RankZeroTracking(metrics, new RunTracking("", "safety", "fixture"), Map.of(), "");
    try {
      return trainer(settings, comm, manager, tracking, out, evalRows, planner, model, precision)
          .run();
    } catch (RuntimeException e) {
      tracking.fail();
      throw e;
    }
  }

  /** One rank's trainer over the fixture, its rows and {@code tracking}. */
  static Trainer trainer(
      TrainSettings settings,
      Communicator comm,
      NDManager manager,
      RankZeroTracking tracking,
      PrintStream out) {
    return trainer(settings, comm, manager, tracking, out, List.of(), epPlanner());
  }

  /** As above, evaluating on {@code evalRows} when not empty. */
  static Trainer trainer(
      TrainSettings settings,
      Communicator comm,
      NDManager manager,
      RankZeroTracking tracking,
      PrintStream out,
      List<PackedSequence> evalRows,
      Planner planner) {
    return trainer(
        settings,
        comm,
        manager,
        tracking,
        out,
        evalRows,
        planner,
        fixtureModel(),
        PrecisionOptions.FLOAT32);
  }

  private static ModelSpec fixtureModel() {
    return new ModelSpec(FIXTURE.modelDir().toString(), 0);
  }

  private static Trainer trainer(
      TrainSettings settings,
      Communicator comm,
      NDManager manager,
      RankZeroTracking tracking,
      PrintStream out,
      List<PackedSequence> evalRows,
      Planner planner,
      ModelSpec model,
      PrecisionOptions precision) {
    return new Trainer(
        comm,
        manager,
        settings,
        precision,
        model,
        planner,
        "",
        tracking,
        StopRequest.NEVER,
        out,
        (loaded, rank, worldSize) ->
            new ShardedBatches(
                FIXTURE.rows(), rank, worldSize, settings.data().batchSize(), settings.seed()),
        (loaded, rank, worldSize) ->
            evalRows.isEmpty()
                ? Optional.empty()
                : Optional.of(evalBatches(evalRows, rank, worldSize, settings.data().batchSize())));
  }

  private static Planner epPlanner() {
    return Planner.create(DispatchMode.EP, PlannerOptions.defaults());
  }

  /** Rank {@code rank}'s eval batches of {@code rows}, as every rank computes them. */
  static EvalBatches evalBatches(List<PackedSequence> rows, int rank, int world, int batchSize) {
    List<PackedSequence> own = new ArrayList<>();
    for (int i = rank; i < rows.size(); i += world) {
      own.add(rows.get(i));
    }
    int most = (rows.size() + world - 1) / world;
    long tokens = rows.stream().mapToLong(PackedSequence::trainedTokens).sum();
    return new EvalBatches(own, batchSize, (most + batchSize - 1) / batchSize, rows.size(), tokens);
  }

  /**
   * Evaluating on the launch's eval rows as {@code eval} says (the data's eval files are its own
   * data file, which the trainer does not read: the rows come from the launch).
   */
  static TrainSettings withEval(TrainSettings s, EvalOptions eval) {
    DataOptions d = s.data();
    return s.withData(
            new DataOptions(
                d.files(),
                d.template(),
                d.maxLength(),
                d.packing(),
                d.batchSize(),
                d.skipBadLines(),
                d.truncation(),
                new EvalData(d.files(), 0)))
        .withEval(eval);
  }
}
