package ai.llep.trainer.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The checks on what the recipe and the command line set: every key must exist in the composed
 * defaults (or sit below an empty object there, an open map), and its final value must have the
 * default's type.
 */
final class Strictness {
  private final Config defaults;
  private final Set<String> validKeys;

  /** {@code defaults} is base plus the chosen group options, resolved, without the choices. */
  Strictness(Config defaults) {
    this.defaults = defaults;
    this.validKeys = new TreeSet<>(Layer.leaves(defaults.root(), "").keySet());
  }

  /**
   * One message per unknown key in {@code sources} (key path to where it was set). {@code
   * elsewhere} may explain a key, for example that another option of its group has it.
   */
  List<String> unknownKeys(
      Map<String, String> sources, Function<String, Optional<String>> elsewhere) {
    List<String> problems = new ArrayList<>();
    sources.forEach(
        (path, where) -> {
          if (known(path)) {
            return;
          }
          String head = "unknown key '" + path + "' (" + where + ")";
          String tail =
              elsewhere
                  .apply(path)
                  .or(() -> ClosestKey.of(path, validKeys).map(k -> "did you mean '" + k + "'?"))
                  .orElseGet(() -> validKeysNear(path));
          problems.add(head + "; " + tail);
        });
    return problems;
  }

  /** One message per key in {@code sources} whose value in {@code resolved} has the wrong type. */
  List<String> wrongTypes(Map<String, String> sources, Config resolved) {
    List<String> problems = new ArrayList<>();
    sources.forEach(
        (path, where) -> {
          if (!defaults.hasPathOrNull(path) || defaults.getIsNull(path)) {
            return;
          }
          ValueType expected = ValueType.of(defaults.getValue(path));
          ConfigValue actual = resolved.getIsNull(path) ? null : resolved.getValue(path);
          if (!expected.accepts(actual)) {
            problems.add(
                "key '"
                    + path
                    + "' ("
                    + where
                    + ") must be "
                    + expected.describe()
                    + ", got "
                    + describeActual(actual));
          }
        });
    return problems;
  }

  private boolean known(String path) {
    if (defaults.hasPathOrNull(path)) {
      return true;
    }
    return nearestAncestor(path)
        .map(a -> value(a) instanceof ConfigObject o && o.isEmpty())
        .orElse(false);
  }

  private String validKeysNear(String path) {
    Optional<String> ancestor = nearestAncestor(path);
    if (ancestor.isEmpty()) {
      return "valid top-level keys: " + String.join(", ", childKeys(defaults.root()));
    }
    if (value(ancestor.get()) instanceof ConfigObject object) {
      return "valid keys under '" + ancestor.get() + "': " + String.join(", ", childKeys(object));
    }
    return "'" + ancestor.get() + "' is " + ValueType.of(value(ancestor.get())).describe();
  }

  private Optional<String> nearestAncestor(String path) {
    List<String> segments = ConfigUtil.splitPath(path);
    for (int n = segments.size() - 1; n >= 1; n--) {
      String ancestor = ConfigUtil.joinPath(segments.subList(0, n));
      if (defaults.hasPathOrNull(ancestor)) {
        return Optional.of(ancestor);
      }
    }
    return Optional.empty();
  }

  private ConfigValue value(String path) {
    return defaults.getIsNull(path) ? null : defaults.getValue(path);
  }

  private static List<String> childKeys(ConfigObject object) {
    return object.keySet().stream().sorted().map(ConfigUtil::joinPath).toList();
  }

  private static String describeActual(ConfigValue actual) {
    if (actual == null) {
      return "null";
    }
    return ValueType.of(actual).describe() + ": " + actual.render(ConfigRenderOptions.concise());
  }
}
