package ai.llep.trainer.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads the metric histories of a run folder in MLflow's file-store layout. */
public final class RunMetrics {
  private RunMetrics() {}

  /**
   * Every metric of the run in {@code runDir}, by key ({@code /}-separated, as logged), each with
   * its points in the order they were logged. A run without a {@code metrics} folder has none.
   *
   * @throws IllegalArgumentException if a metric file has a malformed line
   */
  public static Map<String, List<MetricPoint>> read(Path runDir) {
    Path metrics = runDir.resolve("metrics");
    Map<String, List<MetricPoint>> histories = new TreeMap<>();
    if (!Files.isDirectory(metrics)) {
      return histories;
    }
    try (Stream<Path> walk = Files.walk(metrics)) {
      for (Path file : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(file)) {
          String key =
              metrics.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
          histories.put(key, readFile(file, key));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read metrics under " + metrics, e);
    }
    return histories;
  }

  /**
   * One metric's points in the order they were logged; empty if the run has no such metric.
   *
   * @throws IllegalArgumentException if the metric file has a malformed line
   */
  public static List<MetricPoint> read(Path runDir, String key) {
    MlflowNames.checkMetricKey(key);
    Path file = runDir.resolve("metrics").resolve(key);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      return readFile(file, key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read metric " + file, e);
    }
  }

  private static List<MetricPoint> readFile(Path file, String key) throws IOException {
    List<MetricPoint> points = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      String[] parts = line.strip().split(" ");
      if (parts.length != 2 && parts.length != 3) {
        throw new IllegalArgumentException(
            "metric '" + key + "' is malformed: expected 2 or 3 fields in '" + line + "'");
      }
      try {
        long step = parts.length == 3 ? Long.parseLong(parts[2]) : 0;
        points.add(new MetricPoint(Long.parseLong(parts[0]), PythonFloat.parse(parts[1]), step));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("metric '" + key + "' is malformed: '" + line + "'", e);
      }
    }
    return points;
  }
}
