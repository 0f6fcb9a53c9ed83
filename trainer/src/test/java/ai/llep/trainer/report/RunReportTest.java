package ai.llep.trainer.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.tracking.FileStoreTracker;
import ai.llep.trainer.tracking.RunStatus;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir Path dir;

  /**
   * A run of 150 steps: loss; expert loads as the trainer stores them, layer 0 with 8 experts and 4
   * ranks, layer 1 with experts only.
   */
  private Path syntheticRun(boolean withMoe) {
    try (FileStoreTracker tracker = new FileStoreTracker(dir.resolve("mlruns"))) {
      tracker.startRun("Default", "synthetic", Map.of());
      StringBuilder loads = new StringBuilder();
      for (int step = 0; step < 150; step++) {
        tracker.logMetrics(
            step, Map.of("loss", 3.0 * Math.exp(-step / 50.0) + 0.05 * Math.sin(step)));
        List<ExpertLoads.Layer> layers = new ArrayList<>();
        for (int layer = 0; layer < 2; layer++) {
          long[] experts = new long[8];
          for (int expert = 0; expert < 8; expert++) {
            experts[expert] = 100 + (expert == (layer + step / 40) % 8 ? 600 : 0);
          }
          long[] before = layer == 0 ? new long[] {800, 200, 200, 200} : new long[0];
          long[] after = layer == 0 ? new long[] {350 + step % 3, 350, 350, 350} : new long[0];
          layers.add(new ExpertLoads.Layer(layer, experts, before, after));
        }
        loads.append(ExpertLoads.line(new ExpertLoads.Step(step, layers))).append('\n');
      }
      if (withMoe) {
        tracker.logArtifact(
            ExpertLoads.artifact(0, 149), loads.toString().getBytes(StandardCharsets.UTF_8));
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
  void whereLoadFilesOverlapTheOneSortedLastWins() throws IOException {
    Path loads = Files.createDirectories(dir.resolve("loads"));
    Files.writeString(loads.resolve("steps-00000001-00000004.jsonl"), lines(1, 4, 10));
    Files.writeString(loads.resolve("steps-00000003-00000005.jsonl"), lines(3, 5, 20));
    LoadHistory.LayerView layer = LoadHistory.read(loads).get(0);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), layer.columns());
    assertArrayEquals(new double[] {10, 10, 20, 20, 20}, layer.expertMeans()[1]);
    assertArrayEquals(new double[] {11, 13}, layer.ranksBefore());
  }

  private static String lines(long first, long last, long load) {
    StringBuilder text = new StringBuilder();
    for (long step = first; step <= last; step++) {
      ExpertLoads.Layer layer =
          new ExpertLoads.Layer(0, new long[] {1, load}, new long[] {load - 5, load - 3}, null);
      text.append(ExpertLoads.line(new ExpertLoads.Step(step, List.of(layer)))).append('\n');
    }
    return text.toString();
  }

  @Test
  void aMalformedLoadLineIsReportedByFileAndLine() throws IOException {
    Path loads = Files.createDirectories(dir.resolve("loads"));
    Path file = loads.resolve("steps-00000001-00000002.jsonl");
    Files.writeString(file, lines(1, 1, 3) + "{\"step\": 2}\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LoadHistory.read(loads));
    assertEquals(file + ":2: not an expert-load record", e.getMessage());
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
