package ai.llep.trainer.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads runs back from an MLflow file store that a training run left. */
final class MlflowRuns {
  private MlflowRuns() {}

  /** Every run folder (those with a meta.yaml and a metrics folder) under {@code mlruns}. */
  static List<Path> runs(Path mlruns) {
    try (Stream<Path> walk = Files.walk(mlruns, 2)) {
      return walk.filter(
              p ->
                  Files.isRegularFile(p.resolve("meta.yaml"))
                      && Files.isDirectory(p.resolve("metrics")))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A metric's values by step, from lines {@code <timestamp> <value> <step>}. */
  static TreeMap<Long, Double> metric(Path run, String name) {
    TreeMap<Long, Double> byStep = new TreeMap<>();
    try {
      for (String line : Files.readAllLines(run.resolve("metrics").resolve(name))) {
        String[] parts = line.trim().split(" ");
        byStep.put(Long.parseLong(parts[2]), Double.parseDouble(parts[1]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return byStep;
  }

  /** The losses of every run under {@code workDir/mlruns}, merged by step (later runs win). */
  static TreeMap<Long, Double> losses(Path workDir) {
    TreeMap<Long, Double> all = new TreeMap<>();
    List<Path> runs = new ArrayList<>(runs(workDir.resolve("mlruns")));
    runs.sort((a, b) -> Long.compare(metric(a, "loss").firstKey(), metric(b, "loss").firstKey()));
    for (Path run : runs) {
      all.putAll(metric(run, "loss"));
    }
    return all;
  }
}
