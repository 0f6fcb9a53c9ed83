package ai.llep.trainer.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigUtil;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line arguments split into group choices ({@code llep=ep}) and key overrides ({@code
 * llep.alpha=2}). An argument whose key is a single segment naming a group is a choice; any other
 * is an override. Later arguments win.
 *
 * @param choices option by group, in the order given
 * @param overrides key overrides, in the order given
 */
record Arguments(Map<String, String> choices, List<KeyOverride> overrides) {

  /** One {@code key=value} argument: {@code key} a valid HOCON path, {@code value} raw text. */
  record KeyOverride(String key, String value) {}

  Arguments {
    choices = Collections.unmodifiableMap(new LinkedHashMap<>(choices));
    overrides = List.copyOf(overrides);
  }

  static Arguments parse(List<String> args, Set<String> groups) {
    Map<String, String> choices = new LinkedHashMap<>();
    List<KeyOverride> overrides = new ArrayList<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new ConfigError(
            "command-line argument '" + arg + "' is not of the form key=value or group=option");
      }
      String key = arg.substring(0, eq).strip();
      String value = arg.substring(eq + 1).strip();
      if (key.isEmpty()) {
        throw new ConfigError("command-line argument '" + arg + "' has an empty key");
      }
      List<String> segments = segments(key, arg);
      if (segments.size() == 1 && groups.contains(segments.getFirst())) {
        if (value.isEmpty()) {
          throw new ConfigError(
              "command-line argument '" + arg + "' names no option for group '" + key + "'");
        }
        choices.put(segments.getFirst(), value);
      } else if (segments.getFirst().equals(ConfigLoader.DEFAULTS)) {
        throw new ConfigError(
            "command-line argument '"
                + arg
                + "' sets the defaults block; choose a group option with <group>=<option>");
      } else {
        overrides.add(new KeyOverride(ConfigUtil.joinPath(segments), value));
      }
    }
    return new Arguments(choices, overrides);
  }

  private static List<String> segments(String key, String arg) {
    try {
      return ConfigUtil.splitPath(key);
    } catch (ConfigException e) {
      throw new ConfigError(
          "command-line argument '" + arg + "' has an invalid key '" + key + "'", e);
    }
  }
}
