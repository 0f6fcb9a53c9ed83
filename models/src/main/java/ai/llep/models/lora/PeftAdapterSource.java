package ai.llep.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.hf.SafetensorsFile;
import ai.llep.models.hf.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A PEFT adapter folder ({@code adapter_config.json}, {@code adapter_model.safetensors}) seen under
 * {@link LoraSites}' names: module adapters as they are stored, each expert's matrices cut out of
 * the layer's fused ones (lora_A [E * r, in]: rows e * r to (e + 1) * r; lora_B [out, r * E]:
 * columns j * E + e). The config must describe the spec's adapters ({@link PeftAdapterConfig}).
 */
public final class PeftAdapterSource implements TensorSource, AutoCloseable {
  static final String TENSORS = "adapter_model.safetensors";

  private final SafetensorsFile file;
  private final int rank;

  /** Our name to where it is in the file. */
  private final Map<String, Location> locations = new LinkedHashMap<>();

  private String fusedName;
  private NDArray fused;
  private NDManager fusedScope;

  private record Location(String key, int expert, int experts, boolean isA) {}

  private PeftAdapterSource(SafetensorsFile file, LoraSpec spec) {
    this.file = file;
    this.rank = spec.rank();
    PeftKeys keys = new PeftKeys(spec.targets());
    for (String key : file.names()) {
      if (!key.startsWith(PeftKeys.PREFIX)) {
        throw new IllegalArgumentException(
            file.path() + ": tensor " + key + " is not under " + PeftKeys.PREFIX);
      }
      locations.put(key.substring(PeftKeys.PREFIX.length()), new Location(key, -1, 0, false));
    }
    for (String key : file.names()) {
      expandExperts(keys, key);
    }
  }

  /**
   * Opens {@code folder}'s adapter, checked against {@code spec}.
   *
   * @throws IllegalArgumentException when a file is missing or describes other adapters (naming the
   *     field)
   */
  public static PeftAdapterSource open(Path folder, LoraSpec spec) {
    Path config = folder.resolve(PeftAdapterConfig.FILE);
    Path tensors = folder.resolve(TENSORS);
    for (Path required : new Path[] {config, tensors}) {
      if (!Files.isRegularFile(required)) {
        throw new IllegalArgumentException(
            "lora.adapter=" + folder + " has no " + required.getFileName());
      }
    }
    try {
      PeftAdapterConfig.check(Files.readString(config), config.toString(), spec);
      SafetensorsFile file = SafetensorsFile.open(tensors);
      try {
        return new PeftAdapterSource(file, spec);
      } catch (RuntimeException e) {
        file.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + folder + ": " + e.getMessage(), e);
    }
  }

  /** Adds each expert's matrices of a fused key of an experts module. */
  private void expandExperts(PeftKeys keys, String key) {
    for (LoraTarget target :
        new LoraTarget[] {LoraTarget.EXPERTS_GATE_UP, LoraTarget.EXPERTS_DOWN}) {
      for (String matrix : new String[] {"lora_A", "lora_B"}) {
        int layer = layerOf(key);
        if (layer < 0 || !key.equals(keys.experts(layer, target, matrix))) {
          continue;
        }
        locations.remove(key.substring(PeftKeys.PREFIX.length()));
        boolean isA = matrix.equals("lora_A");
        Shape shape = file.shape(key);
        long stacked = isA ? shape.get(0) : shape.get(1);
        if (shape.dimension() != 2 || stacked % rank != 0) {
          throw new IllegalArgumentException(
              file.path() + ": " + key + " is " + shape + ", not experts x rank " + rank);
        }
        int experts = Math.toIntExact(stacked / rank);
        LoraSites.Experts site = new LoraSites.Experts(target, layer, 0, 0);
        for (int e = 0; e < experts; e++) {
          locations.put(isA ? site.a(e) : site.b(e), new Location(key, e, experts, isA));
        }
      }
    }
  }

  private static int layerOf(String key) {
    String rest = key.substring(PeftKeys.PREFIX.length());
    if (!rest.startsWith("model.layers.")) {
      return -1;
    }
    String[] parts = rest.split("\\.");
    try {
      return Integer.parseInt(parts[2]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(locations.keySet());
  }

  @Override
  public Shape shape(String name) {
    Location at = location(name);
    Shape stored = file.shape(at.key());
    if (at.expert() < 0) {
      return stored;
    }
    return at.isA() ? new Shape(rank, stored.get(1)) : new Shape(stored.get(0), rank);
  }

  @Override
  public synchronized NDArray read(String name, NDManager manager, DataType computeType) {
    Location at = location(name);
    if (at.expert() < 0) {
      return file.read(at.key(), manager, computeType);
    }
    NDArray all = fused(at.key());
    NDArray slice =
        at.isA()
            ? all.get(
                new NDIndex((long) at.expert() * rank + ":" + (long) (at.expert() + 1) * rank))
            : all.reshape(all.getShape().get(0), rank, at.experts())
                .get(new NDIndex(":, :, " + at.expert()));
    // A copy: the fused tensor is freed when the next key is read.
    NDArray out = slice.duplicate();
    out.attach(manager);
    if (computeType == DataType.FLOAT32) {
      return out;
    }
    try (out) {
      NDArray cast = out.toType(computeType, false);
      cast.attach(manager);
      return cast;
    }
  }

  /** The fused tensor {@code key}, kept while the experts of one key are read in turn. */
  private NDArray fused(String key) {
    if (!key.equals(fusedName)) {
      if (fusedScope != null) {
        fusedScope.close();
      }
      fusedScope = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
      fused = file.read(key, fusedScope, DataType.FLOAT32);
      fusedName = key;
    }
    return fused;
  }

  private Location location(String name) {
    Location at = locations.get(name);
    if (at == null) {
      throw new IllegalArgumentException(file.path() + " has no adapter tensor for " + name);
    }
    return at;
  }

  @Override
  public synchronized void close() {
    if (fusedScope != null) {
      fusedScope.close();
    }
    file.close();
  }
}
