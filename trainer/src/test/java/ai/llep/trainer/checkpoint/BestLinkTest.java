package ai.llep.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** checkpoint.dir/best: a relative link that retention, move-aside and delete respect. */
class BestLinkTest {
  private static final String RUN = "run-a";

  @TempDir Path root;

  private static void save(CheckpointLayout layout, long step) throws IOException {
    Path dir = layout.prepareRank(step, 0);
    Files.writeString(dir.resolve("model.bin"), "weights at step " + step);
    layout.sealRank(step, 0, RUN);
    layout.commit(step, 1, RUN, false);
  }

  @Test
  void theLinkIsRelativeAndReplacedWithoutATemporaryLeft() throws IOException {
    CheckpointLayout layout = new CheckpointLayout(root);
    assertEquals(OptionalLong.empty(), layout.bestStep());
    save(layout, 10);
    save(layout, 20);
    layout.pointBest(10);
    assertEquals(Path.of("step-00000010"), Files.readSymbolicLink(root.resolve("best")));
    layout.pointBest(20);
    assertEquals(OptionalLong.of(20), layout.bestStep());
    assertEquals(layout.stepDir(20), root.resolve("best").toRealPath());
    try (Stream<Path> entries = Files.list(root)) {
      assertEquals(
          List.of("best", "step-00000010", "step-00000020"),
          entries.map(p -> p.getFileName().toString()).sorted().toList());
    }
    IllegalStateException missing =
        assertThrows(IllegalStateException.class, () -> layout.pointBest(30));
    assertEquals(
        "no checkpoint " + layout.stepDir(30) + " for " + root.resolve("best") + " to name",
        missing.getMessage());
  }

  @Test
  void retentionKeepsTheBestBeyondKeepLast() throws IOException {
    CheckpointLayout layout = new CheckpointLayout(root);
    for (long step = 1; step <= 4; step++) {
      save(layout, step);
    }
    layout.pointBest(2);
    assertEquals(
        List.of(layout.stepDir(3), layout.stepDir(1)),
        layout.retain(1, RUN, 4, OptionalLong.of(2)));
    assertEquals(List.of(4L, 2L), layout.publishedSteps());
    assertEquals(List.of(layout.stepDir(2)), layout.retain(1, RUN, 4, OptionalLong.of(4)));
  }

  @Test
  void deleteRemovesTheLinkNotWhatItNamesAndMoveAsideMovesIt() throws IOException {
    CheckpointLayout layout = new CheckpointLayout(root);
    save(layout, 5);
    layout.pointBest(5);
    Path outside = Files.createDirectories(root.resolveSibling(root.getFileName() + "-other"));
    Path kept = Files.writeString(outside.resolve("keep.txt"), "not a checkpoint");
    Files.createSymbolicLink(root.resolve("best.tmp-other"), outside);
    assertEquals(List.of(root.resolve("best"), layout.stepDir(5)), layout.existing());

    Path aside = layout.moveAside("t");
    assertTrue(Files.isSymbolicLink(aside.resolve("best")));
    assertEquals(aside.resolve("step-00000005"), aside.resolve("best").toRealPath());

    save(layout, 6);
    layout.pointBest(6);
    // The link to a folder elsewhere: deleting must not follow a link named best either.
    Files.delete(root.resolve("best"));
    Files.createSymbolicLink(root.resolve("best"), outside);
    layout.deleteExisting();
    assertEquals(List.of(), layout.existing());
    assertTrue(Files.isRegularFile(kept), "deleting followed the link");
  }
}
