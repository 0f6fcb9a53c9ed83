package ai.llep.trainer.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Composes the run's configuration from {@code configs/base.conf}, the chosen group options, an
 * optional recipe file and command-line arguments, checks it strictly and resolves it. See the
 * package documentation for the order and the rules.
 */
public final class ConfigLoader {
  static final String DEFAULTS = "defaults";

  private final SearchPath searchPath;

  /** Bundled configs only. */
  public ConfigLoader() {
    this(List.of());
  }

  /**
   * Bundled configs plus {@code extraSearchDirs}, each laid out like {@code configs/} ({@code
   * <group>/<option>.conf}); earlier directories shadow later ones and all shadow the bundled
   * options.
   */
  public ConfigLoader(List<Path> extraSearchDirs) {
    this(extraSearchDirs, ConfigLoader.class.getClassLoader());
  }

  ConfigLoader(List<Path> extraSearchDirs, ClassLoader loader) {
    this.searchPath = new SearchPath(extraSearchDirs, loader);
  }

  /**
   * Loads the configuration.
   *
   * @param recipe a HOCON file over the defaults, possibly with its own {@code defaults} block
   * @param args {@code group=option} choices and {@code a.b.c=value} overrides (HOCON values)
   * @throws ConfigError naming every unknown key, unknown option and badly typed value at once
   */
  public ResolvedConfig load(Optional<Path> recipe, List<String> args) {
    SortedSet<String> groups = searchPath.groups();
    Arguments arguments = Arguments.parse(args, groups);
    Config base = parse(searchPath.base());
    Config recipeConfig = recipe.map(ConfigLoader::parseRecipe).orElse(ConfigFactory.empty());

    Map<String, Choice> choices = choose(base, recipeConfig, arguments, groups);
    Config defaults = composeDefaults(base, choices);

    List<Layer> layers = new ArrayList<>();
    layers.add(Layer.ofFile(recipeConfig.withoutPath(DEFAULTS)));
    arguments.overrides().forEach(o -> layers.add(Layer.ofArgument(o)));
    Map<String, String> sources = new LinkedHashMap<>();
    layers.forEach(layer -> sources.putAll(layer.sources()));

    Strictness strictness = new Strictness(resolve(defaults, "the defaults"));
    throwIfAny(strictness.unknownKeys(sources, path -> inOtherOptions(path, choices)));
    Config merged = defaults;
    for (Layer layer : layers) {
      merged = layer.config().withFallback(merged);
    }
    Map<String, String> chosen = new TreeMap<>();
    choices.forEach((group, choice) -> chosen.put(group, choice.option()));
    merged = merged.withValue(DEFAULTS, ConfigValueFactory.fromMap(chosen, "group choices"));
    Config resolved = resolve(merged, "the configuration");
    throwIfAny(strictness.wrongTypes(sources, resolved));
    return new ResolvedConfig(resolved, chosen);
  }

  /** A group's chosen option and where it was chosen. */
  private record Choice(String option, String where) {}

  private static Map<String, Choice> choose(
      Config base, Config recipe, Arguments arguments, SortedSet<String> groups) {
    List<String> problems = new ArrayList<>();
    Map<String, Choice> choices = new TreeMap<>();
    readDefaults(base, groups, choices, problems);
    readDefaults(recipe, groups, choices, problems);
    throwIfAny(problems);
    arguments.choices().forEach((g, o) -> choices.put(g, new Choice(o, Layer.COMMAND_LINE)));
    return choices;
  }

  /** Base without its choices, with each chosen option's file at its group's key. */
  private Config composeDefaults(Config base, Map<String, Choice> choices) {
    List<String> problems = new ArrayList<>();
    Config defaults = base.withoutPath(DEFAULTS);
    for (Map.Entry<String, Choice> entry : choices.entrySet()) {
      Optional<Config> option = option(entry.getKey(), entry.getValue(), problems);
      if (option.isPresent()) {
        defaults = option.get().withFallback(defaults);
      }
    }
    throwIfAny(problems);
    return defaults;
  }

  private static void readDefaults(
      Config config, SortedSet<String> groups, Map<String, Choice> choices, List<String> problems) {
    if (!config.hasPathOrNull(DEFAULTS)) {
      return;
    }
    ConfigValue block = config.root().get(DEFAULTS);
    if (!(block instanceof ConfigObject object)) {
      problems.add(
          "'defaults' ("
              + Layer.where(block.origin())
              + ") must be an object of <group> = <option>");
      return;
    }
    object.forEach(
        (group, value) -> {
          String where = Layer.where(value.origin());
          if (!groups.contains(group)) {
            problems.add(
                "unknown config group '"
                    + group
                    + "' in defaults ("
                    + where
                    + "); valid groups: "
                    + String.join(", ", groups));
          } else if (value.valueType() != ConfigValueType.STRING) {
            problems.add(
                "defaults."
                    + group
                    + " ("
                    + where
                    + ") must name an option of group '"
                    + group
                    + "'");
          } else {
            choices.put(group, new Choice((String) value.unwrapped(), where));
          }
        });
  }

  private Optional<Config> option(String group, Choice choice, List<String> problems) {
    Optional<Path> file = searchPath.option(group, choice.option());
    if (file.isEmpty()) {
      problems.add(
          "unknown option '"
              + choice.option()
              + "' for config group '"
              + group
              + "' ("
              + choice.where()
              + "); valid options: "
              + String.join(", ", searchPath.options(group)));
      return Optional.empty();
    }
    return Optional.of(parse(file.get()).root().atKey(group));
  }

  /** Explains a key missing from the chosen option that other options of its group have. */
  private Optional<String> inOtherOptions(String path, Map<String, Choice> choices) {
    String group = ConfigUtil.splitPath(path).getFirst();
    if (!searchPath.groups().contains(group)) {
      return Optional.empty();
    }
    Choice choice = choices.get(group);
    if (choice == null) {
      return Optional.of(
          "no option of group '"
              + group
              + "' is chosen; add "
              + group
              + "=<option> (options: "
              + String.join(", ", searchPath.options(group))
              + ")");
    }
    List<String> having = new ArrayList<>();
    for (String other : searchPath.options(group)) {
      Optional<Path> file = searchPath.option(group, other);
      if (file.isPresent() && parse(file.get()).root().atKey(group).hasPathOrNull(path)) {
        having.add(other);
      }
    }
    if (having.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        group
            + " option '"
            + choice.option()
            + "' has no such key, but "
            + String.join(", ", having)
            + (having.size() == 1 ? " has" : " have")
            + " it; choose one with "
            + group
            + "=<option>");
  }

  private static Config parse(Path file) {
    ConfigParseOptions options =
        ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false);
    try {
      return ConfigFactory.parseURL(file.toUri().toURL(), options);
    } catch (ConfigException e) {
      throw new ConfigError(e.getMessage(), e);
    } catch (MalformedURLException e) {
      throw new ConfigError("cannot read config file " + file, e);
    }
  }

  private static Config parseRecipe(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigError("recipe file not found: " + file);
    }
    ConfigParseOptions options =
        ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false);
    try {
      return ConfigFactory.parseFile(file.toFile(), options);
    } catch (ConfigException e) {
      throw new ConfigError(e.getMessage(), e);
    }
  }

  private static Config resolve(Config config, String what) {
    try {
      return config.resolve(ConfigResolveOptions.defaults());
    } catch (ConfigException e) {
      throw new ConfigError("cannot resolve " + what + ": " + e.getMessage(), e);
    }
  }

  private static void throwIfAny(List<String> problems) {
    if (problems.size() == 1) {
      throw new ConfigError(problems.getFirst());
    }
    if (!problems.isEmpty()) {
      throw new ConfigError(
          problems.size() + " configuration errors:\n  " + String.join("\n  ", problems));
    }
  }
}
