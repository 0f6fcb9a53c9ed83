package ai.llep.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.checkpoint.CheckpointLayout.Verify;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLayoutTest {
  static final String RUN = "run-a";

  @TempDir Path root;

  private CheckpointLayout layout() {
    return new CheckpointLayout(root);
  }

  private void writeRanks(CheckpointLayout layout, long step, int worldSize) throws IOException {
    writeRanks(layout, step, worldSize, RUN);
  }

  /** Every rank writes a model shard and optimizer state, as a training step would. */
  private void writeRanks(CheckpointLayout layout, long step, int worldSize, String run)
      throws IOException {
    for (int rank = 0; rank < worldSize; rank++) {
      Path dir = layout.prepareRank(step, rank);
      Files.writeString(dir.resolve("model.bin"), "weights of rank " + rank + " at step " + step);
      Files.createDirectories(dir.resolve("optim"));
      Files.write(dir.resolve("optim/adamw.bin"), new byte[] {(byte) rank, (byte) step, 7});
      layout.sealRank(step, rank, run);
    }
  }

  private Checkpoint save(CheckpointLayout layout, long step, int worldSize) throws IOException {
    return save(layout, step, worldSize, RUN);
  }

  private Checkpoint save(CheckpointLayout layout, long step, int worldSize, String run)
      throws IOException {
    writeRanks(layout, step, worldSize, run);
    return layout.commit(step, worldSize, run, false);
  }

  @Test
  void folderNamesArePaddedAndPartialFoldersNestRanks() {
    CheckpointLayout layout = layout();
    assertEquals(root.resolve("step-00000042"), layout.stepDir(42));
    assertEquals(root.resolve("step-00000042.partial"), layout.partialDir(42));
    assertEquals(
        root.resolve("step-00000042.partial").resolve("rank-00001"), layout.rankDir(42, 1));
    assertEquals(root.resolve("step-123456789"), layout.stepDir(123_456_789));
  }

  @Test
  void commitPublishesTheStepWithAManifestOfEveryFile() throws Exception {
    CheckpointLayout layout = layout();
    Checkpoint checkpoint = save(layout, 42, 2);

    assertEquals(root.resolve("step-00000042"), checkpoint.dir());
    assertFalse(Files.exists(layout.partialDir(42)));
    assertTrue(Files.isRegularFile(checkpoint.dir().resolve(CheckpointLayout.COMPLETE)));
    CheckpointManifest manifest = checkpoint.manifest();
    assertEquals(42, manifest.step());
    assertEquals(2, manifest.worldSize());
    assertEquals(
        List.of(
            "rank-00000/model.bin",
            "rank-00000/optim/adamw.bin",
            "rank-00001/model.bin",
            "rank-00001/optim/adamw.bin"),
        manifest.files().stream().map(CheckpointManifest.FileEntry::path).toList());
    byte[] model1 = "weights of rank 1 at step 42".getBytes(StandardCharsets.UTF_8);
    CheckpointManifest.FileEntry entry = manifest.files().get(2);
    assertEquals(model1.length, entry.size());
    assertEquals(
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model1)),
        entry.sha256());
    assertEquals(checkpoint.dir().resolve("rank-00001"), checkpoint.rankDir(1));

    String json = Files.readString(checkpoint.dir().resolve(CheckpointLayout.COMPLETE));
    assertTrue(json.contains("\"world_size\": 2"), json);
    assertEquals(manifest, CheckpointManifest.parse(json));
    assertEquals(Optional.of(checkpoint), layout.latest());
  }

  @Test
  void crashBeforeCommitLeavesThePreviousCheckpointAsLatest() throws IOException {
    CheckpointLayout layout = layout();
    save(layout, 10, 2);
    writeRanks(layout, 20, 2);

    assertTrue(Files.isDirectory(layout.partialDir(20)));
    assertEquals(10, layout.latest().orElseThrow().step());
  }

  @Test
  void corruptedFileMakesLatestFallBackToThePreviousCheckpoint() throws IOException {
    CheckpointLayout layout = layout();
    save(layout, 10, 2);
    Checkpoint newer = save(layout, 20, 2);
    Path shard = newer.rankDir(1).resolve("model.bin");
    byte[] bytes = Files.readAllBytes(shard);
    bytes[0] ^= 1;
    Files.write(shard, bytes);

    assertEquals(10, layout.latest().orElseThrow().step());
    assertEquals(20, layout.latest(Verify.SIZES).orElseThrow().step(), "same size passes SIZES");
  }

  @Test
  void truncatedOrMissingFilesAndMissingMarkersAreSkipped() throws IOException {
    CheckpointLayout layout = layout();
    save(layout, 1, 1);
    Checkpoint truncated = save(layout, 2, 1);
    Files.write(truncated.rankDir(0).resolve("model.bin"), new byte[3]);
    Checkpoint missing = save(layout, 3, 1);
    Files.delete(missing.rankDir(0).resolve("optim/adamw.bin"));
    Checkpoint unmarked = save(layout, 4, 1);
    Files.delete(unmarked.dir().resolve(CheckpointLayout.COMPLETE));
    Checkpoint garbled = save(layout, 5, 1);
    Files.writeString(garbled.dir().resolve(CheckpointLayout.COMPLETE), "{\"format\": 1,");

    assertEquals(1, layout.latest(Verify.SIZES).orElseThrow().step());
  }

  @Test
  void manifestOfAnotherStepIsRejected() throws IOException {
    CheckpointLayout layout = layout();
    save(layout, 1, 1);
    Checkpoint moved = save(layout, 2, 1);
    Files.move(moved.dir(), layout.stepDir(3));

    assertEquals(1, layout.latest().orElseThrow().step());
  }

  @Test
  void emptyOrMissingRootHasNoLatest() {
    assertEquals(Optional.empty(), layout().latest());
    assertEquals(Optional.empty(), new CheckpointLayout(root.resolve("absent")).latest());
  }

  @Test
  void commitNamesTheRankThatWroteNothing() throws IOException {
    CheckpointLayout layout = layout();
    layout.prepareRank(5, 0);
    layout.prepareRank(5, 2);

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> layout.commit(5, 3, RUN, false));
    assertEquals(
        "rank 1 has no folder in "
            + layout.partialDir(5)
            + ": did every rank write its files before the barrier?",
        e.getMessage());
  }

  @Test
  void commitRefusesARankBeyondTheWorldSize() throws IOException {
    CheckpointLayout layout = layout();
    writeRanks(layout, 5, 3);

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> layout.commit(5, 2, RUN, false));
    assertEquals(
        "unexpected entry rank-00002 in " + layout.partialDir(5) + " for world size 2",
        e.getMessage());
  }

  @Test
  void commitRefusesAnAlreadyPublishedStep() throws IOException {
    CheckpointLayout layout = layout();
    save(layout, 5, 1);
    writeRanks(layout, 5, 1);

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> layout.commit(5, 1, RUN, false));
    assertEquals("checkpoint " + layout.stepDir(5) + " is already published", e.getMessage());
  }

  @Test
  void retryAfterACrashReplacesStaleMarkersAndInvalidFolders() throws IOException {
    CheckpointLayout layout = layout();
    Checkpoint broken = save(layout, 5, 1);
    Files.delete(broken.rankDir(0).resolve("model.bin"));
    writeRanks(layout, 5, 1);
    Files.writeString(layout.partialDir(5).resolve(CheckpointLayout.COMPLETE), "stale");
    Files.writeString(layout.rankDir(5, 0).resolve("model.bin"), "second attempt");
    layout.sealRank(5, 0, RUN);

    Checkpoint again = layout.commit(5, 1, RUN, false);

    assertEquals(Optional.of(again), layout.latest());
    assertEquals("second attempt", Files.readString(again.rankDir(0).resolve("model.bin")));
  }

  @Test
  void prepareRankClearsLeftoversOfACrashedAttempt() throws IOException {
    CheckpointLayout layout = layout();
    Path dir = layout.prepareRank(7, 0);
    Files.writeString(dir.resolve("leftover.tmp"), "half written");

    Path again = layout.prepareRank(7, 0);

    assertEquals(dir, again);
    try (var entries = Files.list(again)) {
      assertEquals(0, entries.count());
    }
  }

  @Test
  void retainKeepsTheNewestAndDeletesOlderAndStalePartials() throws IOException {
    CheckpointLayout layout = layout();
    for (long step = 1; step <= 4; step++) {
      save(layout, step, 2);
    }
    writeRanks(layout, 3, 2);
    writeRanks(layout, 9, 2);

    List<Path> deleted = layout.retain(2, RUN, 4);

    assertEquals(List.of(layout.stepDir(2), layout.stepDir(1), layout.partialDir(3)), deleted);
    assertTrue(Files.isDirectory(layout.stepDir(4)));
    assertTrue(Files.isDirectory(layout.stepDir(3)));
    assertTrue(Files.isDirectory(layout.partialDir(9)), "a save in progress stays");
    assertEquals(List.of(), layout.retain(2, RUN, 4));
  }

  @Test
  void retainCountsOnlyValidCheckpoints() throws IOException {
    CheckpointLayout layout = layout();
    for (long step = 1; step <= 4; step++) {
      save(layout, step, 1);
    }
    Files.delete(layout.stepDir(3).resolve("rank-00000/model.bin"));

    assertEquals(List.of(layout.stepDir(3), layout.stepDir(1)), layout.retain(2, RUN, 4));
    assertEquals(List.of(4L, 2L), layout.publishedSteps());
  }

  /**
   * The case: a folder holding steps 10-12 of an earlier run, and a run saving steps 4 and
   * 8 with a small keep-last. Ranking by step number alone kept 10-12 and deleted each new
   * checkpoint right after writing it.
   */
  @Test
  void retainNeverCountsNorDeletesAnotherRunsCheckpoints() throws IOException {
    CheckpointLayout layout = layout();
    for (long step = 10; step <= 12; step++) {
      save(layout, step, 1, "run-old");
    }
    writeRanks(layout, 2, 1, "run-old");

    save(layout, 4, 1);
    assertEquals(List.of(), layout.retain(1, RUN, 4));
    save(layout, 8, 1);
    assertEquals(List.of(layout.stepDir(4)), layout.retain(1, RUN, 8));

    assertEquals(List.of(12L, 11L, 10L, 8L), layout.publishedSteps());
    assertTrue(Files.isDirectory(layout.partialDir(2)), "another run's partial folder stays");
  }

  /**
   * A run that resumed from step 40 past its own rejected step 80 saves step 60: 60 is kept (the
   * checkpoint just written always is), 80 is neither counted nor deleted.
   */
  @Test
  void retainKeepsTheStepJustWrittenAndLeavesNewerStepsAlone() throws IOException {
    CheckpointLayout layout = layout();
    save(layout, 40, 1);
    save(layout, 80, 1);
    save(layout, 60, 1);

    assertEquals(List.of(layout.stepDir(40)), layout.retain(1, RUN, 60));
    assertEquals(List.of(80L, 60L), layout.publishedSteps());
  }

  /** A step folder whose bytes were flipped in place (same sizes) is replaced when it is saved. */
  @Test
  void commitReplacesARejectedFolderWhole() throws IOException {
    CheckpointLayout layout = layout();
    Checkpoint corrupt = save(layout, 5, 1);
    Path shard = corrupt.rankDir(0).resolve("model.bin");
    byte[] bytes = Files.readAllBytes(shard);
    bytes[3] ^= 0x10;
    Files.write(shard, bytes);
    assertEquals(Optional.empty(), layout.latest());
    writeRanks(layout, 5, 1);
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> layout.commit(5, 1, RUN, false));
    assertEquals("checkpoint " + layout.stepDir(5) + " is already published", refused.getMessage());

    Checkpoint again = layout.commit(5, 1, RUN, true);

    assertEquals(Optional.of(again), layout.latest());
    assertEquals(List.of(layout.stepDir(5)), layout.existing(), "nothing left beside it");
  }

  @Test
  void commitNamesTheRankThatDidNotSealAndFilesChangedAfterTheSeal() throws IOException {
    CheckpointLayout layout = layout();
    Files.writeString(layout.prepareRank(6, 0).resolve("model.bin"), "zero");
    Files.writeString(layout.prepareRank(6, 1).resolve("model.bin"), "one");
    layout.sealRank(6, 0, RUN);

    IllegalStateException unsealed =
        assertThrows(IllegalStateException.class, () -> layout.commit(6, 2, RUN, false));
    assertEquals(
        "rank 1 did not seal its files in "
            + layout.partialDir(6)
            + ": did every rank write its files before the barrier?",
        unsealed.getMessage());

    layout.sealRank(6, 1, RUN);
    Files.writeString(layout.rankDir(6, 1).resolve("late.bin"), "written after the seal");
    IllegalStateException changed =
        assertThrows(IllegalStateException.class, () -> layout.commit(6, 2, RUN, false));
    assertTrue(
        changed.getMessage().startsWith("rank 1's files in " + layout.partialDir(6) + " changed"),
        changed.getMessage());
  }

  @Test
  void theManifestNamesTheRunThatWroteIt() throws IOException {
    Checkpoint checkpoint = save(layout(), 3, 2);

    assertEquals(RUN, checkpoint.manifest().run());
    assertTrue(checkpoint.manifest().writtenBy(RUN));
    assertFalse(checkpoint.manifest().writtenBy("run-b"));
    assertEquals(checkpoint.manifest(), layout().latest().orElseThrow().manifest());
  }

  @Test
  void theRanksShareTheFilesToVerifyEachOnceAndEvenly() {
    List<CheckpointManifest.FileEntry> files = new ArrayList<>();
    long[] sizes = {900, 100, 500, 500, 300, 7, 0};
    for (int i = 0; i < sizes.length; i++) {
      files.add(new CheckpointManifest.FileEntry("f" + i, sizes[i], "x"));
    }
    CheckpointManifest manifest = new CheckpointManifest(1, 1, 1, RUN, files);

    List<CheckpointManifest.FileEntry> all = new ArrayList<>();
    long[] bytes = new long[3];
    for (int rank = 0; rank < 3; rank++) {
      for (CheckpointManifest.FileEntry entry : CheckpointLayout.share(manifest, rank, 3)) {
        all.add(entry);
        bytes[rank] += entry.size();
      }
    }
    assertEquals(
        files.stream().map(CheckpointManifest.FileEntry::path).sorted().toList(),
        all.stream().map(CheckpointManifest.FileEntry::path).sorted().toList());
    assertArrayEquals(new long[] {900, 800, 607}, bytes);
    assertEquals(files, CheckpointLayout.share(manifest, 0, 1));
  }

  @Test
  void existingCheckpointsAreMovedAsideOrDeleted() throws IOException {
    CheckpointLayout layout = layout();
    save(layout, 1, 1);
    writeRanks(layout, 2, 1);
    Files.writeString(root.resolve("notes.txt"), "not a checkpoint");
    assertEquals(List.of(layout.stepDir(1), layout.partialDir(2)), layout.existing());

    Path aside = layout.moveAside("first");

    assertEquals(root.resolve("moved-aside-first"), aside);
    assertEquals(List.of(), layout.existing());
    assertTrue(Files.isDirectory(aside.resolve("step-00000001")));
    assertTrue(Files.isDirectory(aside.resolve("step-00000002.partial")));
    save(layout, 3, 1);
    layout.deleteExisting();
    assertEquals(List.of(), layout.existing());
    assertTrue(Files.isRegularFile(root.resolve("notes.txt")));
  }

  @Test
  void retainRejectsZero() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> layout().retain(0, RUN, 1));
    assertEquals("keep-last must be >= 1, got 0", e.getMessage());
  }

  @Test
  void atomicWriteReplacesContentAndLeavesNoTemporaryFile() throws IOException {
    Path target = root.resolve("nested/state.json");
    AtomicWrite.writeString(target, "first");
    AtomicWrite.write(target, new byte[] {1, 2, 3});

    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    try (var entries = Files.list(target.getParent())) {
      assertEquals(List.of(target), entries.toList());
    }
  }

  @Test
  void malformedManifestsAreRejectedWithTheReason() {
    IllegalArgumentException format =
        assertThrows(
            IllegalArgumentException.class,
            () -> CheckpointManifest.parse("{\"format\": 2, \"step\": 1, \"world_size\": 1}"));
    assertEquals(
        "malformed manifest: checkpoint manifest format 2 is not supported (expected 1)",
        format.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CheckpointManifest.parse(""));
  }
}
