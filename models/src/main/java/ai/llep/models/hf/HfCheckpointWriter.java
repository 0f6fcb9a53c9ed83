package ai.llep.models.hf;

import ai.djl.ndarray.NDArray;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * Writes a Hugging Face model folder: {@code config.json}, the tensors in the given order split
 * into shards of at most {@code maxShardBytes} ({@code model-00001-of-00003.safetensors}, ...; one
 * {@code model.safetensors} when they fit in one), and {@code model.safetensors.index.json} with
 * {@code total_size} and the sorted {@code weight_map} when there are several. A tensor larger than
 * the limit gets a shard of its own, as in transformers.
 *
 * <p>Everything is written into a hidden temporary folder beside the target and renamed into place
 * at the end, so a crash never leaves a half checkpoint under the target name.
 *
 * @param maxShardBytes the largest shard, in stored bytes
 * @param floats how floating arrays are stored
 */
public record HfCheckpointWriter(long maxShardBytes, SafetensorsWriter.FloatStorage floats) {
  /** transformers' default shard size ("5GB"). */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  /** Shards carry the metadata transformers checks for. */
  static final Map<String, String> SHARD_METADATA = Map.of("format", "pt");

  public HfCheckpointWriter {
    if (maxShardBytes < 1) {
      throw new IllegalArgumentException("maxShardBytes must be >= 1, got " + maxShardBytes);
    }
    if (floats == null) {
      throw new IllegalArgumentException("floats must be given");
    }
  }

  /** Writes {@code folder}, which must not exist yet (an empty folder is replaced). */
  public void write(Path folder, String configJson, SequencedMap<String, NDArray> tensors)
      throws IOException {
    write(folder, configJson, tensors, Map.of());
  }

  /**
   * As {@link #write(Path, String, SequencedMap)}, also copying {@code extraFiles} (file name in
   * the folder to source path, e.g. the tokenizer's files) into the folder.
   */
  public void write(
      Path folder,
      String configJson,
      SequencedMap<String, NDArray> tensors,
      Map<String, Path> extraFiles)
      throws IOException {
    write(folder, configJson, tensors, extraFiles, Map.of());
  }

  /**
   * As {@link #write(Path, String, SequencedMap, Map)}, also writing {@code extraTexts} (file name
   * to UTF-8 content, e.g. {@code chat_template.jinja}); a text replaces a copied file of its name.
   */
  public void write(
      Path folder,
      String configJson,
      SequencedMap<String, NDArray> tensors,
      Map<String, Path> extraFiles,
      Map<String, String> extraTexts)
      throws IOException {
    requireJsonObject(configJson);
    Path target = folder.toAbsolutePath();
    if (Files.exists(target) && !isEmptyDirectory(target)) {
      throw new IOException("checkpoint folder " + target + " already exists");
    }
    Files.createDirectories(target.getParent());
    Path temp = Files.createDirectory(AtomicFiles.temporarySibling(target));
    try {
      for (Map.Entry<String, Path> extra : extraFiles.entrySet()) {
        requireExtraName(extra.getKey());
        if (!extraTexts.containsKey(extra.getKey())) {
          Files.copy(
              extra.getValue(), temp.resolve(extra.getKey()), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
      for (Map.Entry<String, String> text : extraTexts.entrySet()) {
        requireExtraName(text.getKey());
        AtomicFiles.writeString(temp.resolve(text.getKey()), text.getValue());
      }
      AtomicFiles.writeString(temp.resolve(HfCheckpoint.CONFIG), configJson);
      writeShards(temp, tensors);
      AtomicFiles.forceDirectory(temp);
      if (Files.isDirectory(target)) {
        Files.delete(target);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.forceDirectory(target.getParent());
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteTree(temp);
      throw e;
    }
  }

  private void writeShards(Path dir, SequencedMap<String, NDArray> tensors) throws IOException {
    List<List<StoredTensor>> shards = new ArrayList<>();
    List<StoredTensor> current = new ArrayList<>();
    long currentBytes = 0;
    long totalBytes = 0;
    for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
      StoredTensor tensor = StoredTensor.of(entry.getKey(), entry.getValue(), floats);
      long bytes = tensor.byteSize();
      if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
        shards.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(tensor);
      currentBytes += bytes;
      totalBytes += bytes;
    }
    shards.add(current);
    if (shards.size() == 1) {
      SafetensorsWriter.write(dir.resolve(HfCheckpoint.SINGLE_FILE), current, SHARD_METADATA);
      return;
    }
    Map<String, String> weightMap = new TreeMap<>();
    for (int i = 0; i < shards.size(); i++) {
      String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      SafetensorsWriter.write(dir.resolve(name), shards.get(i), SHARD_METADATA);
      shards.get(i).forEach(t -> weightMap.put(t.name(), name));
    }
    AtomicFiles.writeString(dir.resolve(ShardIndex.FILE_NAME), indexJson(totalBytes, weightMap));
  }

  /** The index as transformers writes it: sorted keys, two-space indent, a final newline. */
  static String indexJson(long totalBytes, Map<String, String> weightMap) {
    JsonObject metadata = new JsonObject();
    metadata.addProperty("total_size", totalBytes);
    JsonObject map = new JsonObject();
    new TreeMap<>(weightMap).forEach(map::addProperty);
    JsonObject root = new JsonObject();
    root.add("metadata", metadata);
    root.add("weight_map", map);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
  }

  private static void requireJsonObject(String configJson) {
    try {
      JsonElement parsed = JsonParser.parseString(configJson);
      if (!parsed.isJsonObject()) {
        throw new IllegalArgumentException("config.json text is not a JSON object");
      }
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(
          "config.json text is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static void requireExtraName(String name) {
    Path path = Path.of(name);
    boolean reserved =
        name.equals(HfCheckpoint.CONFIG)
            || name.equals(HfCheckpoint.SINGLE_FILE)
            || name.equals(ShardIndex.FILE_NAME)
            || name.matches("model-\\d{5}-of-\\d{5}\\.safetensors");
    if (path.getNameCount() != 1 || name.contains("/") || name.startsWith(".") || reserved) {
      throw new IllegalArgumentException(
          "extra file '" + name + "' must be a plain file name not used by the checkpoint itself");
    }
  }

  private static boolean isEmptyDirectory(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (var entries = Files.list(path)) {
      return entries.findAny().isEmpty();
    }
  }
}
