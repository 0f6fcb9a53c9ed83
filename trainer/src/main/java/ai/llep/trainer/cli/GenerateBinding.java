package ai.llep.trainer.cli;

import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.data.TemplateSetting;
import ai.llep.trainer.generate.GenerateOptions;
import ai.llep.trainer.generate.PromptInput;
import ai.llep.trainer.generate.Prompts;
import ai.llep.trainer.generate.Sampling;
import ai.llep.trainer.train.InferenceModel;
import ai.llep.trainer.train.ModelSpec;
import ai.llep.trainer.train.Precision;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Binds the generate command's config before anything loads: the model (and, for a checkpoint of
 * this project, the model and chat template it was trained with), the options, the prompts and the
 * output file. Bad values are {@link ConfigError}s naming the key.
 */
final class GenerateBinding {
  static final String PRECISION_KEY = "generate.precision";

  private GenerateBinding() {}

  /**
   * What to load: the spec, the checkpoint whose weights replace the spec's (or null), the chat
   * template setting, and a description for the log.
   */
  record ModelChoice(ModelSpec spec, Path checkpoint, TemplateSetting template, String described) {}

  /**
   * The generate command's bound settings.
   *
   * @param precision {@code generate.precision}, resolved on the rank's device when it starts
   */
  record GenerateSettings(
      ModelChoice model,
      GenerateOptions options,
      List<PromptInput> prompts,
      Optional<Path> output,
      long seed,
      Precision precision) {}

  static GenerateSettings bind(Config config) {
    String output = config.getString("generate.output");
    String promptsFile = config.getString("generate.prompts-file");
    return new GenerateSettings(
        model(config),
        options(config),
        Prompts.read(
            strings(config, "generate.prompt"),
            promptsFile.isEmpty() ? null : Path.of(promptsFile)),
        output.isEmpty() ? Optional.empty() : Optional.of(Path.of(output)),
        config.getLong("seed"),
        precision(config));
  }

  static Precision precision(Config config) {
    try {
      return Precision.parse(PRECISION_KEY, config.getString(PRECISION_KEY));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage(), e);
    }
  }

  static GenerateOptions options(Config config) {
    try {
      return new GenerateOptions(
          config.getInt("generate.max-new-tokens"),
          new Sampling(
              config.getDouble("generate.temperature"),
              config.getInt("generate.top-k"),
              config.getDouble("generate.top-p")),
          config.getLong("generate.seed"),
          strings(config, "generate.stop"),
          config.getInt("generate.batch-size"));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage());
    }
  }

  /**
   * {@code generate.model}, else {@code model.source}: tiny-moe, a Hugging Face folder, or a
   * checkpoint of this project, which brings the model source and template settings it trained
   * with.
   */
  static ModelChoice model(Config config) {
    boolean own = !config.getString("generate.model").isBlank();
    String key = own ? "generate.model" : "model.source";
    String given = config.getString(key);
    if (given.isBlank()) {
      throw new ConfigError(
          "no model: give its folder (generate <folder> or generate.model=...) or model.source");
    }
    if (given.equals(ModelSpec.TINY)) {
      return fromConfig(config, given, "tiny-moe (random weights from the seed)");
    }
    Path folder = Path.of(given);
    if (!Files.isDirectory(folder)) {
      throw new ConfigError(key + "=" + given + " is not a folder (nor " + ModelSpec.TINY + ")");
    }
    if (Files.isRegularFile(folder.resolve("config.json"))) {
      return fromConfig(config, given, "the Hugging Face folder " + given);
    }
    Path step =
        InferenceModel.checkpointStep(folder)
            .orElseThrow(
                () ->
                    new ConfigError(
                        key
                            + "="
                            + given
                            + " is neither a Hugging Face folder (config.json) nor a checkpoint"
                            + " (a step folder with COMPLETE, or a folder of them)"));
    Config trained;
    try {
      trained = ConfigFactory.parseString(InferenceModel.savedConfig(step)).withFallback(config);
    } catch (ConfigException e) {
      throw new ConfigError("the config saved in checkpoint " + step + ": " + e.getMessage(), e);
    }
    ModelChoice base = fromConfig(trained, trained.getString("model.source"), "");
    return new ModelChoice(
        base.spec(),
        step,
        base.template(),
        "checkpoint " + step + " of " + base.spec().source() + " (its model and chat template)");
  }

  private static ModelChoice fromConfig(Config config, String source, String described) {
    return new ModelChoice(
        TrainBinding.modelSpec(config, source), null, TemplateSettings.bind(config), described);
  }

  /** A string or a list of strings, as given (no splitting at commas). */
  static List<String> strings(Config config, String key) {
    return config.getValue(key).valueType() == ConfigValueType.LIST
        ? config.getStringList(key)
        : List.of(config.getString(key));
  }
}
