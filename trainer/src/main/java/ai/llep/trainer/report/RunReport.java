package ai.llep.trainer.report;

import ai.llep.trainer.tracking.MetricPoint;
import ai.llep.trainer.tracking.RunMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes the plots of one run as PNG files:
 *
 * <ul>
 *   <li>{@code loss.png}: the {@code loss} metric over the steps;
 *   <li>{@code expert_load_layer<i>.png}: per MoE layer, each expert's load over the steps;
 *   <li>{@code rank_load_layer<i>.png}: per MoE layer, each rank's mean load before and after LLEP.
 * </ul>
 *
 * The loss comes from the run's metrics, the loads from its {@link ExpertLoads} artifacts. A plot
 * whose data the run does not have is skipped with a log line. Every image is {@link #WIDTH} by
 * {@link #HEIGHT} pixels.
 */
public final class RunReport {
  public static final int WIDTH = 1000;
  public static final int HEIGHT = 600;

  private static final Logger LOG = LogManager.getLogger(RunReport.class);

  private RunReport() {}

  /**
   * Reads the run folder {@code runDir} (MLflow's file-store layout: {@code metrics/loss} and
   * {@code artifacts/moe/expert_loads/*.jsonl}) and writes the plots into {@code outDir}, creating
   * it if needed. Returns the files written, in the order listed above. Runs AWT headless, so it
   * needs no display; the caller must not have started AWT with a display in this JVM.
   *
   * @throws IllegalArgumentException if {@code runDir} has a malformed metric or load file
   */
  public static List<Path> write(Path runDir, Path outDir) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    List<Path> written = new ArrayList<>();
    List<MetricPoint> loss = RunMetrics.read(runDir, LossPlot.METRIC);
    if (loss.isEmpty()) {
      LOG.info("no '{}' metric in {}; skipping the loss plot", LossPlot.METRIC, runDir);
    } else {
      written.add(save(LossPlot.chart(loss, WIDTH, HEIGHT), outDir.resolve("loss.png")));
    }
    Path loads = runDir.resolve("artifacts").resolve(ExpertLoads.DIR);
    Map<Integer, LoadHistory.LayerView> layers = LoadHistory.read(loads);
    if (layers.isEmpty()) {
      LOG.info("no expert loads in {}; skipping the expert and rank plots", loads);
    }
    layers.forEach(
        (index, layer) -> {
          written.add(
              save(
                  ExpertLoadHeatmap.chart(layer, WIDTH, HEIGHT),
                  outDir.resolve("expert_load_layer" + index + ".png")));
          if (layer.ranksBefore().length == 0 && layer.ranksAfter().length == 0) {
            LOG.info("no rank loads for layer {}; skipping its rank plot", index);
          } else {
            written.add(
                save(
                    RankLoadBars.chart(layer, WIDTH, HEIGHT),
                    outDir.resolve("rank_load_layer" + index + ".png")));
          }
        });
    return written;
  }

  private static Path save(Chart<?, ?> chart, Path file) {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      Files.write(temp, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write plot " + file, e);
    }
  }
}
