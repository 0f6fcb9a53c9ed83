package ai.llep.trainer.cli;

import ai.djl.ndarray.types.DataType;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.PlannerOptions;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.config.ResolvedConfig;
import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;

/** Binds config sections shared by several commands to the records the modules take. */
final class Settings {
  private Settings() {}

  static ResolvedConfig load(CommandArgs args) {
    return new ConfigLoader().load(args.configFile(), args.overrides());
  }

  /**
   * What a command prints and tracks of its config: its own {@code sections}, or every section with
   * {@code --full-config}.
   */
  static ResolvedConfig shown(ResolvedConfig resolved, CommandArgs args, List<String> sections) {
    return args.fullConfig ? resolved : resolved.only(sections);
  }

  /** The config sections of a command that plans with {@code llep}: planner only if it plans. */
  static List<String> withPlanner(Config config, List<String> sections) {
    if (dispatchMode(config) == DispatchMode.EP) {
      return sections;
    }
    return Stream.concat(sections.stream(), Stream.of("planner")).toList();
  }

  static DispatchMode dispatchMode(Config config) {
    return choice(config, "llep.mode", DispatchMode::valueOf, "ep, llep, auto");
  }

  static PlannerOptions plannerOptions(Config config) {
    PlannerOptions.Variant variant =
        choice(config, "planner.variant", PlannerOptions.Variant::valueOf, "default, reference");
    try {
      return new PlannerOptions(
          config.getDouble("llep.alpha"),
          config.getInt("llep.min-tokens-per-gemm"),
          config.getDouble("llep.lambda"),
          variant);
    } catch (IllegalArgumentException e) {
      throw new ConfigError("llep: " + e.getMessage(), e);
    }
  }

  static DataType dataType(Config config, String key) {
    return choice(config, key, DataType::valueOf, "float32, float64, float16");
  }

  /** A value, a list, or a comma-separated string of values of {@code key}, as strings. */
  static List<String> stringOrList(Config config, String key) {
    List<String> raw =
        switch (config.getValue(key).valueType()) {
          case LIST -> config.getStringList(key);
          default -> List.of(config.getString(key));
        };
    return raw.stream()
        .flatMap(v -> Arrays.stream(v.split(",")))
        .map(String::trim)
        .filter(v -> !v.isEmpty())
        .toList();
  }

  static <T> T choice(Config config, String key, Function<String, T> parse, String valid) {
    return parseChoice(key, config.getString(key), parse, valid);
  }

  static <T> T parseChoice(String key, String text, Function<String, T> parse, String valid) {
    try {
      return parse.apply(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(key + "=" + text + " is not one of: " + valid);
    }
  }
}
