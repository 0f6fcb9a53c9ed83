package ai.llep.trainer.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The experiments of an MLflow file store: {@code <root>/<experiment-id>/meta.yaml} for active
 * ones, {@code <root>/.trash/<experiment-id>/} for deleted ones. A new store gets the experiment
 * "Default" with id 0, as MLflow creates it; later experiments get random 18-digit ids, as current
 * MLflow versions choose them.
 */
final class FileStoreExperiments {
  static final String DEFAULT_EXPERIMENT_ID = "0";
  static final String DEFAULT_EXPERIMENT_NAME = "Default";
  static final String META = "meta.yaml";
  static final String TRASH = ".trash";
  // The model registry's folder in the same root, never an experiment.
  private static final String MODELS = "models";
  private static final long ID_LOW = 100_000_000_000_000_000L;

  private final Path root;
  private final LongSupplier clock;

  FileStoreExperiments(Path root, LongSupplier clock) {
    this.root = root;
    this.clock = clock;
    try {
      if (!Files.exists(root)) {
        Files.createDirectories(root);
        create(DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME);
      }
      Files.createDirectories(root.resolve(TRASH));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the MLflow store " + root, e);
    }
  }

  /** The file URI MLflow uses for a local folder: absolute, without a trailing slash. */
  static String fileUri(Path path) {
    String uri = path.toAbsolutePath().normalize().toUri().toString();
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  /** An experiment's id and artifact location. */
  record Experiment(String id, String artifactLocation) {}

  /** The active experiment named {@code name}, created if there is none. */
  Experiment getOrCreate(String name) {
    MlflowNames.checkExperimentName(name);
    Optional<Experiment> active = find(root, name);
    if (active.isPresent()) {
      return active.get();
    }
    if (Files.isDirectory(root.resolve(TRASH)) && find(root.resolve(TRASH), name).isPresent()) {
      throw new IllegalStateException(
          "Experiment '"
              + name
              + "' already exists in deleted state under "
              + root.resolve(TRASH)
              + "; restore it or delete it permanently to use this name again.");
    }
    String id;
    do {
      id = Long.toString(ThreadLocalRandom.current().nextLong(ID_LOW, 10 * ID_LOW));
    } while (Files.exists(root.resolve(id)) || Files.exists(root.resolve(TRASH).resolve(id)));
    return create(id, name);
  }

  private Experiment create(String id, String name) {
    Path dir = root.resolve(id);
    String artifactLocation = fileUri(root) + "/" + id;
    long now = clock.getAsLong();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("artifact_location", artifactLocation);
    meta.put("creation_time", now);
    meta.put("experiment_id", id);
    meta.put("last_update_time", now);
    meta.put("lifecycle_stage", "active");
    meta.put("name", name);
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(META), MetaYaml.render(meta), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create experiment folder " + dir, e);
    }
    return new Experiment(id, artifactLocation);
  }

  private static Optional<Experiment> find(Path parent, String name) {
    try (Stream<Path> entries = Files.list(parent)) {
      for (Path dir : (Iterable<Path>) entries::iterator) {
        String folder = dir.getFileName().toString();
        Path meta = dir.resolve(META);
        if (folder.equals(TRASH) || folder.equals(MODELS) || !Files.isRegularFile(meta)) {
          continue;
        }
        Map<String, String> values;
        try {
          values = MetaYaml.parse(Files.readString(meta, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          continue;
        }
        if (name.equals(values.get("name")) && folder.equals(values.get("experiment_id"))) {
          String location = values.get("artifact_location");
          return Optional.of(
              new Experiment(folder, location != null ? location : fileUri(parent) + "/" + folder));
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list experiments in " + parent, e);
    }
  }
}
