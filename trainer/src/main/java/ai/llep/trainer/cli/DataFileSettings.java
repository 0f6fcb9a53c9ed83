package ai.llep.trainer.cli;

import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.data.DataFile;
import ai.llep.trainer.data.DataFormat;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Binds {@code data.files} (and {@code data.eval-files}, alike) and {@code data.format}: each entry
 * is a path, or {@code {path, weight, format}} (weight 1 and {@code data.format} when left out);
 * every file must exist, as given or under the project home.
 */
final class DataFileSettings {
  private static final Set<String> KEYS = Set.of("path", "weight", "format");

  private DataFileSettings() {}

  static List<DataFile> bind(Config config, Optional<Path> home) {
    return bind(config, home, "data.files");
  }

  /** The files of {@code listKey} ({@code data.files} or {@code data.eval-files}), alike. */
  static List<DataFile> bind(Config config, Optional<Path> home, String listKey) {
    DataFormat format = format(config.getString("data.format"), "data.format");
    List<DataFile> files = new ArrayList<>();
    List<? extends ConfigValue> entries = config.getList(listKey);
    for (int i = 0; i < entries.size(); i++) {
      String key = listKey + "[" + i + "]";
      ConfigValue entry = entries.get(i);
      if (entry.valueType() == ConfigValueType.STRING) {
        files.add(new DataFile(existing((String) entry.unwrapped(), home, listKey), 1.0, format));
      } else if (entry instanceof ConfigObject object) {
        files.add(entry(object, key, listKey, format, home));
      } else {
        throw new ConfigError(
            key + " must be a path or {path, weight, format}, got " + entry.render());
      }
    }
    return files;
  }

  private static DataFile entry(
      ConfigObject object, String key, String listKey, DataFormat format, Optional<Path> home) {
    for (String k : object.keySet()) {
      if (!KEYS.contains(k)) {
        throw new ConfigError(key + ": unknown key '" + k + "' (valid: path, weight, format)");
      }
    }
    Config entry = object.toConfig();
    if (!entry.hasPath("path")) {
      throw new ConfigError(key + ": missing path");
    }
    double weight;
    try {
      weight = entry.hasPath("weight") ? entry.getDouble("weight") : 1.0;
    } catch (RuntimeException e) {
      throw new ConfigError(key + ".weight must be a number, got " + object.get("weight").render());
    }
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new ConfigError(key + ".weight must be a positive number, got " + weight);
    }
    DataFormat own =
        entry.hasPath("format") ? format(entry.getString("format"), key + ".format") : format;
    return new DataFile(existing(entry.getString("path"), home, listKey), weight, own);
  }

  private static DataFormat format(String text, String key) {
    try {
      return DataFormat.parse(text, key);
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage());
    }
  }

  /** A data path as given, or else relative to the project home (for bundled recipe data). */
  private static Path existing(String path, Optional<Path> home, String listKey) {
    Path given = Path.of(path);
    Path found = given;
    if (!Files.exists(given) && !given.isAbsolute() && home.isPresent()) {
      Path underHome = home.get().resolve(path);
      found = Files.exists(underHome) ? underHome : given;
    }
    if (!Files.isRegularFile(found)) {
      throw new ConfigError(listKey + ": " + path + " does not exist");
    }
    return found;
  }
}
