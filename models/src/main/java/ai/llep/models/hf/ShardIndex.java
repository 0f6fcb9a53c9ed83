package ai.llep.models.hf;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code model.safetensors.index.json}: which shard holds each tensor. Shard names must be plain
 * file names in the checkpoint folder, so an index cannot point outside it.
 *
 * @param weightMap tensor name to shard file name, sorted by tensor name
 */
record ShardIndex(SortedMap<String, String> weightMap) {
  static final String FILE_NAME = "model.safetensors.index.json";

  static ShardIndex read(Path file) throws IOException {
    JsonObject root;
    try {
      JsonElement parsed = JsonParser.parseString(Files.readString(file));
      if (!parsed.isJsonObject()) {
        throw new JsonParseException("not a JSON object");
      }
      root = parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    JsonElement map = root.get("weight_map");
    if (map == null || !map.isJsonObject()) {
      throw new IOException(file + " has no object 'weight_map'");
    }
    SortedMap<String, String> weightMap = new TreeMap<>();
    for (Map.Entry<String, JsonElement> entry : map.getAsJsonObject().entrySet()) {
      JsonElement shard = entry.getValue();
      if (!shard.isJsonPrimitive() || !shard.getAsJsonPrimitive().isString()) {
        throw new IOException(
            file + ": weight_map entry of tensor '" + entry.getKey() + "' is not a file name");
      }
      weightMap.put(entry.getKey(), checkPlainName(file, entry.getKey(), shard.getAsString()));
    }
    return new ShardIndex(Collections.unmodifiableSortedMap(weightMap));
  }

  private static String checkPlainName(Path file, String tensor, String shard) throws IOException {
    Path name = Path.of(shard);
    if (shard.isEmpty()
        || name.getNameCount() != 1
        || name.isAbsolute()
        || shard.equals("..")
        || shard.equals(".")
        || shard.contains("/")
        || shard.contains("\\")) {
      throw new IOException(
          file
              + ": shard '"
              + shard
              + "' of tensor '"
              + tensor
              + "' is not a plain file name in the checkpoint folder");
    }
    return shard;
  }
}
