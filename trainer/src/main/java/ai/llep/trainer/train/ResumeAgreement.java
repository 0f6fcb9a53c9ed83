package ai.llep.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.trainer.checkpoint.Checkpoint;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.config.ConfigError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Where a launch starts, decided before the model loads and the same on every rank. With {@code
 * train.resume=latest} the ranks check the newest checkpoint together ({@link CheckpointAudit},
 * each rank its share of the files, every rank the manifest) and skip it, with a warning naming
 * why, if any rank finds it unusable or sees another manifest than rank 0; the first that every
 * rank finds sound is the one, and rank 0 checks that its run is this one ({@link
 * ResumeCompatibility}). Checkpoints the run will not continue from (with {@code
 * train.resume=none}, or none usable) are handled as {@code checkpoint.existing} says: by default
 * the run stops, naming them and the ways out. Rank 0 decides; its verdict, and the run's identity,
 * reach the others in one broadcast.
 */
final class ResumeAgreement {
  private static final Logger LOG = LogManager.getLogger(ResumeAgreement.class);
  private static final long GO = 0;
  private static final long STOP = 1;

  /** Where the launch starts. */
  record StartPoint(
      Optional<Checkpoint> checkpoint,
      Optional<TrainerState> state,
      String trainingRun,
      List<Long> rejected) {
    StartPoint {
      rejected = List.copyOf(rejected);
    }
  }

  private final Communicator comm;
  private final NDManager manager;
  private final CheckpointLayout layout;
  private final TrainSettings settings;
  private final Consumer<String> say;

  ResumeAgreement(
      Communicator comm,
      NDManager manager,
      CheckpointLayout layout,
      TrainSettings settings,
      Consumer<String> say) {
    this.comm = comm;
    this.manager = manager;
    this.layout = layout;
    this.settings = settings;
    this.say = say;
  }

  /**
   * Collective.
   *
   * @param identity this launch's run (its training-run id is replaced by the resumed one's)
   * @throws ConfigError on rank 0 when the run must stop (the message says why and the ways out)
   * @throws StoppedWithRankZero on the other ranks then
   */
  StartPoint agree(RunIdentity identity) {
    if (settings.loop().resume() == LoopOptions.Resume.NONE) {
      return fresh(() -> ExistingCheckpoints.clear(layout, settings.checkpoint(), List.of(), say));
    }
    long[] candidates = candidates();
    Map<Long, String> rejected = new LinkedHashMap<>();
    for (long step : candidates) {
      String problem =
          problem(
              RankMessages.gather(
                  comm,
                  manager,
                  CheckpointAudit.check(layout, step, comm.rank(), comm.worldSize())));
      if (problem.isEmpty()) {
        return resumeFrom(step, identity, List.copyOf(rejected.keySet()));
      }
      rejected.put(step, problem);
      if (comm.rank() == 0) {
        LOG.warn("train.resume=latest: skipping checkpoint {}: {}", layout.stepDir(step), problem);
      }
    }
    if (candidates.length == 0) {
      return fresh(
          () ->
              say.accept(
                  "train.resume=latest: no checkpoint in " + layout.root() + "; starting fresh"));
    }
    List<String> reasons = new ArrayList<>();
    rejected.forEach(
        (step, why) -> reasons.add(layout.stepDir(step).getFileName() + " (" + why + ")"));
    return fresh(() -> ExistingCheckpoints.clear(layout, settings.checkpoint(), reasons, say));
  }

  /** Rank 0's list of published steps, newest first, on every rank. */
  private long[] candidates() {
    long[] mine =
        comm.rank() == 0
            ? layout.publishedSteps().stream().mapToLong(Long::longValue).toArray()
            : new long[0];
    int count = (int) RankMessages.broadcast(comm, manager, new long[] {mine.length})[0];
    return count == 0
        ? new long[0]
        : RankMessages.broadcast(comm, manager, comm.rank() == 0 ? mine : new long[count]);
  }

  /** Empty when every rank found the checkpoint sound and read the same manifest as rank 0. */
  private static String problem(List<String> reports) {
    Map<String, List<Integer>> byProblem = new LinkedHashMap<>();
    String first = reports.getFirst();
    for (int rank = 0; rank < reports.size(); rank++) {
      String report = reports.get(rank);
      String problem;
      if (!report.startsWith(CheckpointAudit.SOUND)) {
        problem = report;
      } else if (first.startsWith(CheckpointAudit.SOUND) && !report.equals(first)) {
        problem =
            "its manifest differs from rank 0's (is checkpoint.dir one folder that every rank"
                + " shares?)";
      } else {
        continue;
      }
      byProblem.computeIfAbsent(problem, p -> new ArrayList<>()).add(rank);
    }
    List<String> parts = new ArrayList<>();
    byProblem.forEach(
        (problem, ranks) ->
            parts.add(
                (ranks.size() == 1 ? "rank " + ranks.getFirst() : "ranks " + ranks)
                    + ": "
                    + problem));
    return String.join("; ", parts);
  }

  private StartPoint resumeFrom(long step, RunIdentity identity, List<Long> rejected) {
    Checkpoint checkpoint =
        layout.inspect(step, CheckpointLayout.Verify.MANIFEST).checkpoint().get();
    TrainerState state = Checkpointer.readState(checkpoint);
    String trainingRun =
        RunIdentity.parse(state.trainingRun()).orElseGet(RunIdentity::newTrainingRun);
    String run =
        verdict(
            () ->
                ResumeCompatibility.require(
                    checkpoint.dir().toString(),
                    state,
                    identity,
                    settings.loop().resumeAllow(),
                    LOG::warn),
            trainingRun);
    return new StartPoint(Optional.of(checkpoint), Optional.of(state), run, rejected);
  }

  private StartPoint fresh(Runnable onRankZero) {
    String run = verdict(onRankZero, RunIdentity.newTrainingRun());
    return new StartPoint(Optional.empty(), Optional.empty(), run, List.of());
  }

  /**
   * Rank 0 runs {@code decide}; whether it threw, and rank 0's {@code trainingRun}, reach every
   * rank. Returns the training run every rank uses.
   */
  private String verdict(Runnable decide, String trainingRun) {
    RuntimeException refusal = null;
    if (comm.rank() == 0) {
      try {
        decide.run();
      } catch (RuntimeException e) {
        refusal = e;
      }
    }
    UUID id = UUID.fromString(trainingRun);
    long[] sent =
        RankMessages.broadcast(
            comm,
            manager,
            new long[] {
              refusal == null ? GO : STOP, id.getMostSignificantBits(), id.getLeastSignificantBits()
            });
    if (refusal != null) {
      throw refusal;
    }
    if (sent[0] == STOP) {
      throw new StoppedWithRankZero("rank 0 stopped the run before training (see its error)");
    }
    return new UUID(sent[1], sent[2]).toString();
  }
}
