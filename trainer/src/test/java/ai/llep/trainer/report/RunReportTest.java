package ai.llep.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.tracking.FileStoreTracker;
import ai.llep.trainer.tracking.RunStatus;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir Path dir;

  /** A run of 150 steps: loss; layer 0 with 8 experts and 4 ranks; layer 1 with experts only. */
  private Path syntheticRun(boolean withMoe) {
    try (FileStoreTracker tracker = new FileStoreTracker(dir.resolve("mlruns"))) {
      tracker.startRun("Default", "synthetic", Map.of());
      for (int step = 0; step < 150; step++) {
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("loss", 3.0 * Math.exp(-step / 50.0) + 0.05 * Math.sin(step));
        if (withMoe) {
          for (int layer = 0; layer < 2; layer++) {
            for (int expert = 0; expert < 8; expert++) {
              double hot = expert == (layer + step / 40) % 8 ? 600 : 0;
              metrics.put("moe/layer" + layer + "/expert" + expert + "_load", 100.0 + hot);
            }
          }
          for (int rank = 0; rank < 4; rank++) {
            metrics.put("moe/layer0/rank" + rank + "_load_before", rank == 0 ? 800.0 : 200.0);
            metrics.put("moe/layer0/rank" + rank + "_load_after", 350.0 + step % 3);
          }
        }
        tracker.logMetrics(step, metrics);
      }
      tracker.finish(RunStatus.FINISHED);
      return tracker.runDir();
    }
  }

  private static void assertPng(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertTrue(
        Arrays.equals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length)), file.toString());
    BufferedImage image = ImageIO.read(file.toFile());
    assertNotNull(image, file.toString());
    assertEquals(RunReport.WIDTH, image.getWidth(), file.toString());
    assertEquals(RunReport.HEIGHT, image.getHeight(), file.toString());
  }

  @Test
  void writesLossHeatmapsAndRankBarsAsPngs() throws IOException {
    Path out = dir.resolve("report");
    List<Path> written = RunReport.write(syntheticRun(true), out);

    assertEquals(
        List.of(
            out.resolve("loss.png"),
            out.resolve("expert_load_layer0.png"),
            out.resolve("rank_load_layer0.png"),
            out.resolve("expert_load_layer1.png")),
        written);
    for (Path file : written) {
      assertPng(file);
    }
    try (var files = Files.list(out)) {
      assertEquals(4, files.count(), "no temporary files left");
    }
  }

  @Test
  void missingMetricsSkipTheirPlots() throws IOException {
    Path out = dir.resolve("report");
    List<Path> written = RunReport.write(syntheticRun(false), out);

    assertEquals(List.of(out.resolve("loss.png")), written);
    assertPng(out.resolve("loss.png"));
    assertFalse(Files.exists(out.resolve("expert_load_layer0.png")));
  }

  @Test
  void aRunWithoutMetricsWritesNothing() throws IOException {
    Path runDir = Files.createDirectories(dir.resolve("empty-run"));
    assertEquals(List.of(), RunReport.write(runDir, dir.resolve("report")));
  }

  @Test
  void aMalformedMetricFileIsReportedByName() throws IOException {
    Path metrics = Files.createDirectories(dir.resolve("run/metrics"));
    Files.writeString(metrics.resolve("loss"), "1700000000000 0.5 1\nnot a metric line here\n");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RunReport.write(dir.resolve("run"), dir.resolve("report")));
    assertEquals(
        "metric 'loss' is malformed: expected 2 or 3 fields in 'not a metric line here'",
        e.getMessage());
  }

  @Test
  void longRunsAreAveragedIntoAtMostSixtyColumns() {
    List<Long> steps = LongStream.range(0, 1000).boxed().toList();
    List<List<Long>> columns = ExpertLoadHeatmap.columns(steps);
    assertEquals(ExpertLoadHeatmap.MAX_COLUMNS, columns.size());
    assertEquals(steps, columns.stream().flatMap(List::stream).toList());
    assertEquals(16, columns.getFirst().size());
    assertEquals(List.of(List.of(5L), List.of(9L)), ExpertLoadHeatmap.columns(List.of(5L, 9L)));
  }
}
