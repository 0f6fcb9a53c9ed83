package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.hf.SafetensorsFile;
import ai.llep.models.hf.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One named file ({@code model.safetensors} or {@code optimizer.safetensors}) of every rank folder
 * of a checkpoint, seen as one tensor source. Tensor names are unique across ranks (rank 0 holds
 * the replicated ones, each rank its experts), so a checkpoint loads on any world size.
 */
final class CheckpointTensors implements TensorSource, AutoCloseable {
  private final List<SafetensorsFile> files = new ArrayList<>();
  private final Map<String, SafetensorsFile> byName = new HashMap<>();

  CheckpointTensors(Path checkpointDir, String fileName) {
    try (Stream<Path> ranks = Files.list(checkpointDir)) {
      for (Path rankDir : ranks.filter(Files::isDirectory).sorted().toList()) {
        Path file = rankDir.resolve(fileName);
        if (!Files.exists(file)) {
          continue;
        }
        SafetensorsFile opened = SafetensorsFile.open(file);
        files.add(opened);
        for (String name : opened.names()) {
          SafetensorsFile previous = byName.put(name, opened);
          if (previous != null) {
            throw new IllegalStateException(
                "tensor " + name + " is in both " + previous.path() + " and " + file);
          }
        }
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(
          "reading checkpoint " + checkpointDir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Set<String> names() {
    return new TreeSet<>(byName.keySet());
  }

  @Override
  public Shape shape(String name) {
    return file(name).shape(name);
  }

  @Override
  public NDArray read(String name, NDManager manager, DataType computeType) {
    return file(name).read(name, manager, computeType);
  }

  @Override
  public Optional<String> integerStorage(String name) {
    return file(name).integerStorage(name);
  }

  Map<String, String> metadata() {
    return files.isEmpty() ? Map.of() : files.getFirst().metadata();
  }

  private SafetensorsFile file(String name) {
    SafetensorsFile file = byName.get(name);
    if (file == null) {
      throw new IllegalArgumentException("the checkpoint has no tensor " + name);
    }
    return file;
  }

  @Override
  public void close() {
    for (SafetensorsFile file : files) {
      file.close();
    }
  }
}
