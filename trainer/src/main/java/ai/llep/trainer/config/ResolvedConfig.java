package ai.llep.trainer.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A composed, checked and resolved configuration, as the run will use it.
 *
 * @param config the resolved values; its {@code defaults} block holds the group choices
 * @param groups the chosen option of each config group, by group name
 */
public record ResolvedConfig(Config config, Map<String, String> groups) {
  public ResolvedConfig {
    if (!config.isResolved()) {
      throw new IllegalArgumentException("config has unresolved substitutions");
    }
    groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups));
  }

  /**
   * The same configuration restricted to the top-level {@code sections} (those it has), for
   * printing and logging what a command reads; the group choices stay as they are.
   */
  public ResolvedConfig only(Collection<String> sections) {
    Config kept = ConfigFactory.empty();
    for (String section : sections) {
      if (config.hasPath(section)) {
        kept = kept.withValue(section, config.getValue(section));
      }
    }
    return new ResolvedConfig(kept, groups);
  }

  /**
   * The configuration as HOCON with sorted keys and no comments, for printing and for saving with
   * the run. Loading the text back as a recipe, with no arguments, gives the same configuration.
   */
  public String render() {
    ConfigRenderOptions options =
        ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false);
    return config.root().render(options);
  }

  /**
   * Every leaf as dotted key to value text, sorted by key: scalars as written ({@code 1e-5}, {@code
   * true}, {@code 5 minutes}), lists as compact JSON ({@code ["ep","llep"]}). Null values are left
   * out.
   */
  public SortedMap<String, String> flatten() {
    SortedMap<String, String> flat = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> entry : config.entrySet()) {
      ConfigValue value = entry.getValue();
      // A scalar's string conversion keeps the number as written (1e-5, not 1.0E-5).
      String text =
          value.valueType() == ConfigValueType.LIST
              ? value.render(ConfigRenderOptions.concise())
              : value.atKey("v").getString("v");
      flat.put(entry.getKey(), text);
    }
    return Collections.unmodifiableSortedMap(flat);
  }
}
