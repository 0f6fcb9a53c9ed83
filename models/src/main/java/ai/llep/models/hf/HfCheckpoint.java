package ai.llep.models.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Hugging Face model folder: {@code config.json} plus either {@code model.safetensors} or {@code
 * model.safetensors.index.json} and its shards (the single file wins when both exist, as in
 * transformers). Shards are mapped lazily, the first time one of their tensors is asked for, so a
 * rank that owns a few experts opens only the shards that hold them.
 *
 * <p>Errors name the folder, the file and the tensor. Shape mismatches are caught by callers
 * through {@link #shape} or {@link #readChecked}.
 */
public final class HfCheckpoint implements TensorSource, AutoCloseable {
  static final String CONFIG = "config.json";
  static final String SINGLE_FILE = "model.safetensors";

  private final Path folder;
  private final String configText;
  private final JsonObject config;
  private final SortedMap<String, String> shardOf;
  private final Map<String, SafetensorsFile> opened = new HashMap<>();
  private boolean closed;

  private HfCheckpoint(
      Path folder, String configText, JsonObject config, SortedMap<String, String> shardOf) {
    this.folder = folder;
    this.configText = configText;
    this.config = config;
    this.shardOf = shardOf;
  }

  /** Opens {@code folder}, reading its config and index; shards are mapped on first use. */
  public static HfCheckpoint open(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new IOException("checkpoint folder " + folder + " does not exist");
    }
    Path configFile = folder.resolve(CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new IOException("checkpoint folder " + folder + " has no " + CONFIG);
    }
    String configText = Files.readString(configFile);
    JsonObject config;
    try {
      JsonElement parsed = JsonParser.parseString(configText);
      if (!parsed.isJsonObject()) {
        throw new JsonParseException("not a JSON object");
      }
      config = parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(configFile + " is not valid JSON: " + e.getMessage(), e);
    }
    if (Files.isRegularFile(folder.resolve(SINGLE_FILE))) {
      HfCheckpoint checkpoint = new HfCheckpoint(folder, configText, config, new TreeMap<>());
      SafetensorsFile only = SafetensorsFile.open(folder.resolve(SINGLE_FILE));
      checkpoint.opened.put(SINGLE_FILE, only);
      only.names().forEach(name -> checkpoint.shardOf.put(name, SINGLE_FILE));
      return checkpoint;
    }
    Path indexFile = folder.resolve(ShardIndex.FILE_NAME);
    if (!Files.isRegularFile(indexFile)) {
      throw new IOException(
          "checkpoint folder "
              + folder
              + " has neither "
              + SINGLE_FILE
              + " nor "
              + ShardIndex.FILE_NAME);
    }
    ShardIndex index = ShardIndex.read(indexFile);
    Map<String, String> firstTensorOf = new LinkedHashMap<>();
    index.weightMap().forEach((tensor, shard) -> firstTensorOf.putIfAbsent(shard, tensor));
    for (Map.Entry<String, String> shard : firstTensorOf.entrySet()) {
      if (!Files.isRegularFile(folder.resolve(shard.getKey()))) {
        throw new IOException(
            "checkpoint folder "
                + folder
                + ": shard "
                + shard.getKey()
                + " (holding tensor '"
                + shard.getValue()
                + "', listed in "
                + ShardIndex.FILE_NAME
                + ") does not exist");
      }
    }
    return new HfCheckpoint(folder, configText, config, new TreeMap<>(index.weightMap()));
  }

  public Path folder() {
    return folder;
  }

  /** {@code config.json} as written. */
  public String configText() {
    return configText;
  }

  /** {@code config.json} parsed; a copy, so callers may change it freely. */
  public JsonObject config() {
    return config.deepCopy();
  }

  /** All tensor names, sorted. */
  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(shardOf.keySet());
  }

  /** The shard file name that holds {@code name}. */
  public String fileOf(String name) {
    String shard = shardOf.get(name);
    if (shard == null) {
      throw new IllegalArgumentException("no tensor '" + name + "' in checkpoint " + folder);
    }
    return shard;
  }

  @Override
  public Shape shape(String name) {
    return shard(name).shape(name);
  }

  /** The stored element type ({@code "BF16"}, {@code "F32"}, ...). */
  public String storedType(String name) {
    return shard(name).storedType(name);
  }

  @Override
  public NDArray read(String name, NDManager manager, DataType computeType) {
    return shard(name).read(name, manager, computeType);
  }

  @Override
  public Optional<String> integerStorage(String name) {
    return shard(name).integerStorage(name);
  }

  /** Rows {@code [first, first + count)} of {@code name} along its first dimension. */
  public NDArray readRows(
      String name, long first, long count, NDManager manager, DataType computeType) {
    return shard(name).readRows(name, first, count, manager, computeType);
  }

  /** The stored bytes of rows {@code [first, first + count)} of a U8 tensor. */
  public byte[] readRowBytes(String name, long first, long count) {
    return shard(name).readRowBytes(name, first, count);
  }

  /**
   * Reads {@code name} after checking that its shape is {@code expected}; otherwise an error
   * "tensor X in file F has shape [a, b], expected [c, d]".
   */
  public NDArray readChecked(String name, Shape expected, NDManager manager, DataType computeType) {
    SafetensorsFile file = shard(name);
    ShapeCheck.require(name, file.path().toString(), file.shape(name), expected);
    return file.read(name, manager, computeType);
  }

  /** The shards mapped so far, by file name (for tests and diagnostics). */
  synchronized Set<String> openedShards() {
    return Set.copyOf(opened.keySet());
  }

  private synchronized SafetensorsFile shard(String name) {
    if (closed) {
      throw new IllegalStateException("checkpoint " + folder + " is closed");
    }
    String shardName = fileOf(name);
    SafetensorsFile file = opened.get(shardName);
    if (file == null) {
      try {
        file = openShard(shardName);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      opened.put(shardName, file);
    }
    return file;
  }

  private SafetensorsFile openShard(String shardName) throws IOException {
    SafetensorsFile file = SafetensorsFile.open(folder.resolve(shardName));
    for (Map.Entry<String, String> entry : shardOf.entrySet()) {
      if (entry.getValue().equals(shardName) && !file.names().contains(entry.getKey())) {
        file.close();
        throw new IOException(
            "checkpoint folder "
                + folder
                + ": tensor '"
                + entry.getKey()
                + "' is listed in "
                + ShardIndex.FILE_NAME
                + " under "
                + shardName
                + ", but that file has no such tensor");
      }
    }
    return file;
  }

  /** Unmaps every shard; arrays already read stay valid. */
  @Override
  public synchronized void close() {
    closed = true;
    opened.values().forEach(SafetensorsFile::close);
    opened.clear();
  }
}
