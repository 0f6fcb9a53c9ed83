package ai.llep.trainer.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values that one user source (the recipe, or one command-line override) puts over the defaults,
 * with where each leaf key came from, for error messages.
 *
 * @param config the values, possibly with unresolved substitutions
 * @param sources for each leaf key path set: "file:line" or "command line"
 */
record Layer(Config config, Map<String, String> sources) {
  static final String COMMAND_LINE = "command line";

  Layer {
    sources = Map.copyOf(sources);
  }

  /** The recipe's values (its {@code defaults} block already taken out). */
  static Layer ofFile(Config values) {
    Map<String, String> sources = new LinkedHashMap<>();
    leaves(values.root(), "").forEach((path, value) -> sources.put(path, where(value.origin())));
    return new Layer(values, sources);
  }

  /**
   * One {@code key=value} argument. The value is read as HOCON ({@code 3}, {@code true}, {@code
   * [1,2]}, {@code "quoted"}, {@code ${other.key}}). Text that is not one HOCON value, or that
   * HOCON would cut at a comment marker ({@code http://host}, {@code a#b}), is taken as a literal
   * string; an empty value is the empty string.
   */
  static Layer ofArgument(Arguments.KeyOverride override) {
    Config values = parseValue(override.key(), override.value());
    Map<String, String> sources = new LinkedHashMap<>();
    leaves(values.root(), "").keySet().forEach(path -> sources.put(path, COMMAND_LINE));
    return new Layer(values, sources);
  }

  /** "file:line" for a value parsed from a file, else Typesafe's description of the origin. */
  static String where(ConfigOrigin origin) {
    String file = origin.filename();
    if (file == null && origin.url() != null) {
      file = origin.url().toString();
    }
    if (file == null) {
      return origin.description();
    }
    return origin.lineNumber() > 0 ? file + ":" + origin.lineNumber() : file;
  }

  /**
   * Leaf values by path expression, sorted. Empty objects, and objects whose contents are not known
   * before resolution (such as {@code ${a} { b = 1 }}), count as leaves.
   */
  static Map<String, ConfigValue> leaves(ConfigObject root, String prefix) {
    Map<String, ConfigValue> out = new LinkedHashMap<>();
    collect(root, prefix, out);
    return out;
  }

  private static void collect(ConfigObject object, String prefix, Map<String, ConfigValue> out) {
    Map<String, ConfigValue> children;
    try {
      children = Map.copyOf(object);
    } catch (ConfigException.NotResolved e) {
      out.put(prefix, object);
      return;
    }
    if (children.isEmpty() && !prefix.isEmpty()) {
      out.put(prefix, object);
      return;
    }
    for (String key : object.keySet().stream().sorted().toList()) {
      String path =
          prefix.isEmpty() ? ConfigUtil.joinPath(key) : prefix + "." + ConfigUtil.joinPath(key);
      ConfigValue value = children.get(key);
      if (value instanceof ConfigObject child) {
        collect(child, path, out);
      } else {
        out.put(path, value);
      }
    }
  }

  private static Config parseValue(String key, String text) {
    ConfigParseOptions options = ConfigParseOptions.defaults().setOriginDescription(COMMAND_LINE);
    if (text.isEmpty() || hasCommentMarker(text)) {
      return literal(key, text);
    }
    try {
      Config parsed = ConfigFactory.parseString(key + " = " + text, options);
      // "a=1, b=2" parses as two keys; only the one named on the left counts.
      return parsed.withOnlyPath(key).equals(parsed) ? parsed : literal(key, text);
    } catch (ConfigException e) {
      return literal(key, text);
    }
  }

  private static Config literal(String key, String text) {
    return ConfigValueFactory.fromAnyRef(text, COMMAND_LINE).atPath(key);
  }

  private static boolean hasCommentMarker(String text) {
    char first = text.charAt(0);
    boolean structured = first == '"' || first == '[' || first == '{' || first == '$';
    return !structured && (text.contains("//") || text.contains("#"));
  }
}
