package ai.llep.trainer.train;

import static ai.llep.trainer.train.FixtureRuns.launch;
import static ai.llep.trainer.train.FixtureRuns.resume;
import static ai.llep.trainer.train.FixtureRuns.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.tracking.FileStoreTracker;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a launch starts when {@code checkpoint.dir} already holds checkpoints: never training for
 * nothing, never resuming from a corrupt or non-finite checkpoint, never deleting a good one, and
 * all ranks from the same one (two ranks, in this JVM).
 */
class ResumeSafetyTest {
  @TempDir Path dir;

  private CheckpointLayout layout() {
    return new CheckpointLayout(dir.resolve("checkpoints"));
  }

  /** The quick start run twice: the second run stops at once instead of training. */
  @Test
  void aSecondRunIntoTheSameFolderStopsBeforeTrainingAndNamesTheWaysOut() throws Exception {
    launch(2, rank -> settings(dir, 2, 2)).requireSuccess();

    FixtureRuns.Launch again = launch(2, rank -> settings(dir, 2, 4));

    ConfigError e = assertInstanceOf(ConfigError.class, again.error(0));
    assertEquals(
        "checkpoint.dir="
            + layout().root()
            + " already holds checkpoints (step-00000002, step-00000001) that this run would not"
            + " continue from. Continue the run that wrote them with train.resume=latest, give"
            + " another checkpoint.dir, or set checkpoint.existing=move-aside (into "
            + layout().root().resolve("moved-aside-<time>")
            + ") or checkpoint.existing=delete",
        e.getMessage());
    assertInstanceOf(StoppedWithRankZero.class, again.error(1));
    assertNull(again.metrics().status(), "no run was tracked");
    assertEquals(List.of(2L, 1L), layout().publishedSteps(), "nothing was deleted");

    FixtureRuns.Launch aside =
        launch(
                2,
                rank ->
                    FixtureRuns.withCheckpoint(
                        settings(dir, 2, 1),
                        new CheckpointOptions(
                            layout().root(), 1, 1, CheckpointOptions.Existing.MOVE_ASIDE)))
            .requireSuccess();
    assertEquals(List.of(1L), layout().publishedSteps());
    try (var entries = Files.list(layout().root())) {
      Path moved =
          entries
              .filter(p -> p.getFileName().toString().startsWith("moved-aside-"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(aside.output()));
      assertTrue(Files.isDirectory(moved.resolve("step-00000002")), aside.output());
    }
  }

  /**
   * The newest checkpoint corrupted in place (bytes flipped, sizes unchanged): the resume skips it
   * naming why, continues from the one before with the same losses as the first launch, and the
   * save of that step replaces the corrupt folder.
   */
  @Test
  void aCorruptNewestCheckpointIsSkippedAndReplacedBySavingItsStepAgain() throws Exception {
    FixtureRuns.Launch first = launch(2, rank -> settings(dir, 2, 3)).requireSuccess();
    flipBytes(layout().stepDir(3).resolve("rank-00001/model.safetensors"));

    FixtureRuns.Launch resumed =
        launch(2, rank -> resume(settings(dir, 2, 3), Set.of())).requireSuccess();

    assertTrue(resumed.output().contains("at step 2"), resumed.output());
    assertEquals(
        first.metrics().steps().get(3L).get("loss"),
        resumed.metrics().steps().get(3L).get("loss"),
        1e-6,
        "step 3 again");
    assertEquals(3, layout().latest().orElseThrow().step(), "step 3 replaced and verified");
    assertEquals(List.of(3L, 2L, 1L), layout().publishedSteps());
  }

  /** With every checkpoint corrupt the resume neither starts fresh nor deletes anything. */
  @Test
  void withEveryCheckpointCorruptTheResumeStopsAndDeletesNothing() throws Exception {
    launch(2, rank -> settings(dir, 2, 2)).requireSuccess();
    flipBytes(layout().stepDir(2).resolve("rank-00000/optimizer.safetensors"));
    flipBytes(layout().stepDir(1).resolve("rank-00001/model.safetensors"));

    FixtureRuns.Launch resumed = launch(2, rank -> resume(settings(dir, 2, 4), Set.of()));

    ConfigError e = assertInstanceOf(ConfigError.class, resumed.error(0));
    assertTrue(
        e.getMessage()
            .startsWith("train.resume=latest: no usable checkpoint in " + layout().root()),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("step-00000002 (rank ")
            && e.getMessage().contains("rank-00000/optimizer.safetensors has SHA-256"),
        e.getMessage());
    assertTrue(e.getMessage().contains("Nothing was deleted"), e.getMessage());
    assertInstanceOf(StoppedWithRankZero.class, resumed.error(1));
    assertEquals(List.of(2L, 1L), layout().publishedSteps());
  }

  /**
   * A checkpoint whose manifest is right but whose tensors hold a NaN (as an earlier version could
   * publish) is skipped, naming the tensor.
   */
  @Test
  void aCheckpointHoldingNanIsSkippedNamingTheTensor() throws Exception {
    launch(2, rank -> settings(dir, 2, 2)).requireSuccess();
    Path step2 = layout().stepDir(2);
    String tensor = writeNanAndReseal(step2, "rank-00001/model.safetensors");
    assertTrue(
        CheckpointAudit.check(layout(), 2, 0, 1)
            .equals(
                "rank-00001/model.safetensors: tensor "
                    + tensor
                    + " holds 1 non-finite (NaN or infinite) values"),
        CheckpointAudit.check(layout(), 2, 0, 1));

    FixtureRuns.Launch resumed =
        launch(2, rank -> resume(settings(dir, 2, 2), Set.of())).requireSuccess();

    assertTrue(resumed.output().contains("at step 1"), resumed.output());
    assertTrue(
        CheckpointAudit.check(layout(), 2, 0, 1).startsWith(CheckpointAudit.SOUND),
        "step 2 saved again, finite");
  }

  @Test
  void resumeRefusesAnotherWorldSizeSeedOrDataUnlessAllowed() throws Exception {
    launch(2, rank -> settings(dir, 2, 1)).requireSuccess();

    FixtureRuns.Launch oneRank = launch(1, rank -> resume(settings(dir, 1, 2), Set.of()));
    ConfigError world = assertInstanceOf(ConfigError.class, oneRank.error(0));
    assertTrue(
        world
            .getMessage()
            .startsWith(
                "cannot resume from "
                    + layout().stepDir(1)
                    + ": world size: the checkpoint was written by 2 ranks, this run has 1"),
        world.getMessage());
    assertTrue(world.getMessage().contains("train.resume-allow=[world-size]"), world.getMessage());

    FixtureRuns.Launch reseeded =
        launch(2, rank -> resume(FixtureRuns.withSeed(settings(dir, 2, 2), 99), Set.of()));
    assertTrue(
        assertInstanceOf(ConfigError.class, reseeded.error(0))
            .getMessage()
            .contains("seed: the checkpoint's run used "),
        String.valueOf(reseeded.error(0)));

    Files.writeString(dir.resolve("batch.json"), "\n", StandardOpenOption.APPEND);
    FixtureRuns.Launch changedData = launch(2, rank -> resume(settings(dir, 2, 2), Set.of()));
    assertTrue(
        assertInstanceOf(ConfigError.class, changedData.error(0))
            .getMessage()
            .contains("data: the contents of data.files changed since the checkpoint was written"),
        String.valueOf(changedData.error(0)));

    launch(
            1,
            rank ->
                resume(
                    settings(dir, 1, 2),
                    Set.of(LoopOptions.ResumeChange.WORLD_SIZE, LoopOptions.ResumeChange.DATA)))
        .requireSuccess();
    assertEquals(2, layout().latest().orElseThrow().step());
  }

  /** Ranks that do not see the same checkpoint folder never resume from different steps. */
  @Test
  void ranksThatSeeDifferentCheckpointFoldersStop() throws Exception {
    launch(2, rank -> settings(dir, 2, 2)).requireSuccess();
    Path elsewhere = dir.resolve("rank1-only");

    FixtureRuns.Launch split =
        launch(
            2,
            rank ->
                resume(
                    rank == 0
                        ? settings(dir, 2, 3)
                        : FixtureRuns.withCheckpoint(
                            settings(dir, 2, 3), new CheckpointOptions(elsewhere, 1, 5)),
                    Set.of()));

    ConfigError e = assertInstanceOf(ConfigError.class, split.error(0));
    assertTrue(
        e.getMessage().contains("step-00000002 (rank 1: no COMPLETE marker)"), e.getMessage());
    assertInstanceOf(StoppedWithRankZero.class, split.error(1));
    assertEquals(List.of(2L, 1L), layout().publishedSteps());
  }

  /**
   * Folders that cannot be written (checkpoints, export, the tracking file store) are found before
   * the model loads, on the rank that has them.
   */
  @Test
  void anUnwritableCheckpointOrExportFolderStopsTheRunAtOnce() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
    FixtureRuns.Launch checkpoints =
        launch(
            1,
            rank ->
                FixtureRuns.withCheckpoint(
                    settings(dir, 1, 1), new CheckpointOptions(file.resolve("checkpoints"), 1, 1)));
    ConfigError e = assertInstanceOf(ConfigError.class, checkpoints.error(0));
    assertTrue(
        e.getMessage()
            .startsWith(
                "checkpoint.dir=" + file.resolve("checkpoints") + " is not writable on rank 0 ("),
        e.getMessage());

    FixtureRuns.Launch export =
        launch(1, rank -> FixtureRuns.withExport(settings(dir, 1, 1), file.resolve("out")));
    assertTrue(
        assertInstanceOf(ConfigError.class, export.error(0))
            .getMessage()
            .startsWith("train.export-dir=" + file.resolve("out") + " is not writable on rank 0"));
    assertNull(export.metrics().status(), "stopped before training");

    Path store = dir.resolve("mlruns");
    FileStoreTracker tracker = new FileStoreTracker(store);
    FileUtils.deleteDirectory(store.toFile());
    Files.writeString(store, "a file where the store was");
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      RankZeroTracking tracking =
          new RankZeroTracking(tracker, new RunTracking("file:" + store, "e", "r"), Map.of(), "");
      Trainer trainer =
          FixtureRuns.trainer(
              settings(dir, 1, 1),
              new SingleProcessCommunicator(),
              manager,
              tracking,
              new PrintStream(PrintStream.nullOutputStream()));
      ConfigError unwritable = assertThrows(ConfigError.class, trainer::run);
      assertTrue(
          unwritable
              .getMessage()
              .startsWith("tracking.uri=" + store + " is not writable on rank 0 ("),
          unwritable.getMessage());
    }
  }

  /** Flips 16 bytes in the middle of a file, keeping its size. */
  static void flipBytes(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    for (int i = 0; i < 16; i++) {
      bytes[bytes.length / 2 + i] ^= (byte) 0x5A;
    }
    Files.write(file, bytes);
  }

  /**
   * Writes a NaN over the first value of the file's first tensor and records the new SHA-256 in the
   * manifest, as if the checkpoint had been published holding it. Returns the tensor's name.
   */
  private static String writeNanAndReseal(Path stepDir, String relative) throws Exception {
    Path file = stepDir.resolve(relative);
    String first;
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      channel.read(length, 0);
      long headerBytes = length.flip().getLong();
      ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
      channel.read(header, 8);
      JsonObject tensors = JsonParser.parseString(new String(header.array())).getAsJsonObject();
      first = null;
      long offset = Long.MAX_VALUE;
      for (var entry : tensors.entrySet()) {
        if (entry.getKey().equals("__metadata__")) {
          continue;
        }
        long begin =
            entry.getValue().getAsJsonObject().getAsJsonArray("data_offsets").get(0).getAsLong();
        if (begin < offset) {
          offset = begin;
          first = entry.getKey();
        }
      }
      channel.write(
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN).flip(),
          8 + headerBytes + offset);
    }
    Path marker = stepDir.resolve(CheckpointLayout.COMPLETE);
    JsonObject manifest = JsonParser.parseString(Files.readString(marker)).getAsJsonObject();
    for (JsonElement entry : manifest.getAsJsonArray("files")) {
      if (entry.getAsJsonObject().get("path").getAsString().equals(relative)) {
        entry
            .getAsJsonObject()
            .addProperty(
                "sha256",
                HexFormat.of()
                    .formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
      }
    }
    Files.writeString(marker, manifest.toString());
    return first;
  }
}
