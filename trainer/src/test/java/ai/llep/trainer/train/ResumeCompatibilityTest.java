package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.train.LoopOptions.ResumeChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a resume compares with its checkpoint's run, without a launch: the model source (the
 * launches of {@link ResumeSafetyTest} cover world size, seed and data), several changes at once,
 * and checkpoints of an older version that recorded neither model nor data.
 */
class ResumeCompatibilityTest {
  private static final String CHECKPOINT = "checkpoints/step-00000004";
  private static final String RUN = "6f1c0a52-3d1e-4b7e-9a35-0c2f8d1e7b10";

  private static TrainerState recorded(String model, List<String> files, String fingerprint) {
    return new TrainerState(4, 0, 16, 1234, 2, 1.5, "", RUN, model, files, fingerprint);
  }

  private static RunIdentity current(String model, int worldSize) {
    return new RunIdentity(RUN, 1234, worldSize, model, List.of("/data/a.jsonl"), "abc123def456");
  }

  @Test
  void anotherModelSourceIsAnErrorNamingBothAndTheKeyThatAllowsIt() {
    TrainerState state = recorded("/models/a", List.of("/data/a.jsonl"), "abc123def456");

    ConfigError e =
        assertThrows(
            ConfigError.class,
            () ->
                ResumeCompatibility.require(
                    CHECKPOINT, state, current("/models/b", 2), Set.of(), w -> {}));

    assertEquals(
        "cannot resume from "
            + CHECKPOINT
            + ": model.source: the checkpoint's run used /models/a, this run /models/b. Resume"
            + " with the checkpoint's settings, allow the change with train.resume-allow=[model],"
            + " or start a new run (train.resume=none with another checkpoint.dir)",
        e.getMessage());
  }

  @Test
  void everyRefusedChangeIsNamedAndAllowedOnesOnlyWarn() {
    TrainerState state = recorded("/models/a", List.of("/data/a.jsonl"), "abc123def456");

    ConfigError e =
        assertThrows(
            ConfigError.class,
            () ->
                ResumeCompatibility.require(
                    CHECKPOINT,
                    state,
                    current("/models/b", 4),
                    Set.of(ResumeChange.SEED),
                    w -> {}));
    assertEquals(
        "cannot resume from "
            + CHECKPOINT
            + ": world size: the checkpoint was written by 2 ranks, this run has 4 (each rank's"
            + " share of every batch changes, so the losses differ from an uninterrupted run);"
            + " model.source: the checkpoint's run used /models/a, this run /models/b. Resume"
            + " with the checkpoint's settings, allow the change with"
            + " train.resume-allow=[world-size, model], or start a new run (train.resume=none"
            + " with another checkpoint.dir)",
        e.getMessage());

    List<String> warnings = new ArrayList<>();
    ResumeCompatibility.require(
        CHECKPOINT,
        state,
        current("/models/b", 4),
        Set.of(ResumeChange.WORLD_SIZE, ResumeChange.MODEL),
        warnings::add);
    assertEquals(2, warnings.size(), warnings.toString());
    assertEquals(
        "resuming with a change (train.resume-allow): model.source: the checkpoint's run used"
            + " /models/a, this run /models/b",
        warnings.get(1));
  }

  @Test
  void aCheckpointThatRecordedNoModelOrDataIsResumedWithAWarning() {
    List<String> warnings = new ArrayList<>();

    ResumeCompatibility.require(
        CHECKPOINT, recorded(null, null, null), current("/models/a", 2), Set.of(), warnings::add);

    assertEquals(
        List.of(
            "the checkpoint does not record its model.source (written by an older version); not"
                + " checked",
            "the checkpoint does not record its data (written by an older version); not checked"),
        warnings);
  }
}
