package ai.llep.trainer.tracking;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reading back the runs of an MLflow file store, for a tracker that reopens one. */
final class FileStoreRuns {
  // meta.yaml keys whose values are numbers; every other value is a string (or null).
  private static final Set<String> NUMBERS =
      Set.of("start_time", "end_time", "status", "source_type", "deleted_time");

  private static final int TAIL_BYTES = 4096;

  private FileStoreRuns() {}

  /** The folder of the active run {@code runId}, in any active experiment under {@code root}. */
  static Optional<Path> find(Path root, String runId) {
    MlflowNames.checkRunId(runId);
    try (Stream<Path> experiments = Files.list(root)) {
      for (Path experiment : (Iterable<Path>) experiments::iterator) {
        String name = experiment.getFileName().toString();
        Path meta = experiment.resolve(runId).resolve(FileStoreExperiments.META);
        if (!name.equals(FileStoreExperiments.TRASH) && Files.isRegularFile(meta)) {
          Map<String, Object> values = meta(meta.getParent());
          if ("active".equals(values.get("lifecycle_stage"))) {
            return Optional.of(meta.getParent());
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list experiments in " + root, e);
    }
  }

  /** A run's meta.yaml as the tracker writes it: numbers as {@code Long}, tags as a list. */
  static Map<String, Object> meta(Path runDir) {
    Path file = runDir.resolve(FileStoreExperiments.META);
    Map<String, String> raw;
    try {
      raw = MetaYaml.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    Map<String, Object> values = new LinkedHashMap<>();
    new TreeMap<>(raw)
        .forEach(
            (key, value) -> {
              if (key.equals("tags")) {
                values.put(key, List.of());
              } else if (value != null && NUMBERS.contains(key)) {
                try {
                  values.put(key, Long.parseLong(value));
                } catch (NumberFormatException e) {
                  throw new IllegalArgumentException(file + ": " + key + " is not a number", e);
                }
              } else {
                values.put(key, value);
              }
            });
    return values;
  }

  /** The files under {@code dir} as key ({@code /}-separated path) to content. */
  static Map<String, String> values(Path dir) {
    Map<String, String> values = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return values;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(file)) {
          String key =
              dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
          values.put(key, Files.readString(file, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir, e);
    }
    return values;
  }

  /**
   * When the run last logged a metric, if it ever did: the newest timestamp among the last lines of
   * its metric files (only their tails are read).
   */
  static Optional<Long> lastMetricTime(Path runDir) {
    Path metrics = runDir.resolve("metrics");
    if (!Files.isDirectory(metrics)) {
      return Optional.empty();
    }
    long last = -1;
    try (Stream<Path> walk = Files.walk(metrics)) {
      for (Path file : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(file)) {
          last = Math.max(last, lastTimestamp(file));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read metrics under " + metrics, e);
    }
    return last < 0 ? Optional.empty() : Optional.of(last);
  }

  private static long lastTimestamp(Path file) throws IOException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      int tail = (int) Math.min(length, TAIL_BYTES);
      byte[] bytes = new byte[tail];
      in.seek(length - tail);
      in.readFully(bytes);
      String[] lines = new String(bytes, StandardCharsets.UTF_8).strip().split("\n");
      String[] fields = lines[lines.length - 1].strip().split(" ");
      try {
        return Long.parseLong(fields[0]);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }
}
