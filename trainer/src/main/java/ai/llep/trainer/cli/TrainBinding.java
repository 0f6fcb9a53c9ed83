package ai.llep.trainer.cli;

import ai.llep.models.ActivationCheckpointing;
import ai.llep.models.ParameterKind;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.data.DataFile;
import ai.llep.trainer.data.DataOptions;
import ai.llep.trainer.data.EvalData;
import ai.llep.trainer.data.SequencePacker;
import ai.llep.trainer.data.Truncation;
import ai.llep.trainer.optim.AdamWConfig;
import ai.llep.trainer.optim.LrSchedule;
import ai.llep.trainer.optim.OptimOptions;
import ai.llep.trainer.train.CheckpointOptions;
import ai.llep.trainer.train.EvalOptions;
import ai.llep.trainer.train.LoopOptions;
import ai.llep.trainer.train.LoraOptions;
import ai.llep.trainer.train.ModelSpec;
import ai.llep.trainer.train.ProfileOptions;
import ai.llep.trainer.train.SelfKill;
import ai.llep.trainer.train.TrainSettings;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Binds the train command's config sections, one factory per section record; each turns a bad value
 * into a {@link ConfigError} naming its key. Runs before the model loads, so a recipe without data
 * or with a missing data file stops within a second.
 */
final class TrainBinding {
  private TrainBinding() {}

  static TrainSettings settings(Config config, Optional<Path> home) {
    LoopOptions loop = loop(config);
    DataOptions data = data(config, home);
    OptimOptions optim = optim(config);
    CheckpointOptions checkpoint = checkpoint(config);
    SelfKill selfKill =
        bound(
            () ->
                new SelfKill(
                    config.getInt("debug.sigkill-rank"), config.getInt("debug.sigkill-step")));
    ProfileOptions profile = profile(config);
    EvalOptions eval = eval(config);
    LoraOptions lora = LoraBinding.bind(config);
    return bound(
        () ->
            new TrainSettings(
                loop,
                data,
                optim,
                checkpoint,
                config.getLong("seed"),
                selfKill,
                profile,
                eval,
                lora));
  }

  /** {@code model.source}, {@code model.tiny-experts} and {@code model.weights}. */
  static ModelSpec modelSpec(Config config) {
    return modelSpec(config, config.getString("model.source"));
  }

  /** {@link #modelSpec(Config)} for a model from {@code source} instead of model.source. */
  static ModelSpec modelSpec(Config config, String source) {
    String weights = config.getString("model.weights");
    boolean random =
        switch (weights) {
          case "checkpoint" -> false;
          case "random" -> true;
          default ->
              throw new ConfigError(
                  "model.weights=" + weights + " is not one of: checkpoint, random");
        };
    if (random && source.equals(ModelSpec.TINY)) {
      throw new ConfigError(
          "model.weights=random is for a Hugging Face model folder; tiny-moe's weights are always"
              + " drawn from the seed");
    }
    return new ModelSpec(source, config.getInt("model.tiny-experts"), random);
  }

  static ProfileOptions profile(Config config) {
    return bound(() -> ProfileOptions.parse(config.getString("profile.steps")));
  }

  /** {@code train.eval-every} and {@code train.early-stopping}. */
  static EvalOptions eval(Config config) {
    return bound(
        () ->
            new EvalOptions(
                config.getInt("train.eval-every"),
                config.getInt("train.early-stopping.patience"),
                config.getDouble("train.early-stopping.min-delta")));
  }

  static LoopOptions loop(Config config) {
    return bound(
        () ->
            new LoopOptions(
                config.getInt("train.max-steps"),
                config.getInt("train.grad-accum"),
                frozen(config.getString("train.freeze")),
                config.getInt("train.log-every"),
                Settings.choice(
                    config, "train.resume", LoopOptions.Resume::valueOf, "none, latest"),
                config.getString("train.export-dir").isEmpty()
                    ? Optional.empty()
                    : Optional.of(Path.of(config.getString("train.export-dir"))),
                Settings.choice(
                    config,
                    "train.activation-checkpointing",
                    ActivationCheckpointing::valueOf,
                    "none, moe, full"),
                resumeAllow(config)));
  }

  private static Set<LoopOptions.ResumeChange> resumeAllow(Config config) {
    Set<LoopOptions.ResumeChange> allowed = EnumSet.noneOf(LoopOptions.ResumeChange.class);
    for (String change : config.getStringList("train.resume-allow")) {
      allowed.add(
          Settings.parseChoice(
              "train.resume-allow",
              change,
              LoopOptions.ResumeChange::valueOf,
              "world-size, seed, model, data"));
    }
    return allowed;
  }

  /** The data section; every file must exist, as given or under the project home. */
  static DataOptions data(Config config, Optional<Path> home) {
    List<DataFile> files = DataFileSettings.bind(config, home);
    List<DataFile> evalFiles = DataFileSettings.bind(config, home, "data.eval-files");
    EvalData eval = bound(() -> new EvalData(evalFiles, config.getDouble("data.eval-fraction")));
    return bound(
        () ->
            new DataOptions(
                files,
                TemplateSettings.bind(config),
                config.getInt("data.max-length"),
                Settings.choice(config, "data.packing", SequencePacker.Mode::valueOf, "pad, pack"),
                config.getInt("data.batch-size"),
                config.getBoolean("data.skip-bad-lines"),
                truncation(config),
                eval));
  }

  static Truncation truncation(Config config) {
    return Settings.choice(config, "data.truncation", Truncation::valueOf, "truncate, drop, error");
  }

  static OptimOptions optim(Config config) {
    return bound(
        () ->
            new OptimOptions(
                config.getDouble("optim.lr"),
                config.getDouble("optim.min-lr-ratio"),
                config.getInt("optim.warmup-steps"),
                Settings.choice(
                    config,
                    "optim.schedule",
                    LrSchedule.Decay::valueOf,
                    "cosine, linear, constant"),
                new AdamWConfig(
                    config.getDouble("optim.beta1"),
                    config.getDouble("optim.beta2"),
                    config.getDouble("optim.eps"),
                    config.getDouble("optim.weight-decay")),
                config.getDouble("optim.grad-clip"),
                config.getInt("optim.zero")));
  }

  static CheckpointOptions checkpoint(Config config) {
    return bound(
        () ->
            new CheckpointOptions(
                Path.of(config.getString("checkpoint.dir")),
                config.getInt("checkpoint.every"),
                config.getInt("checkpoint.keep-last"),
                Settings.choice(
                    config,
                    "checkpoint.existing",
                    CheckpointOptions.Existing::valueOf,
                    "error, move-aside, delete")));
  }

  private static Set<ParameterKind> frozen(String freeze) {
    return switch (freeze.toLowerCase(Locale.ROOT)) {
      case "none" -> Set.of();
      case "router" -> Set.of(ParameterKind.ROUTER);
      case "dense" -> Set.of(ParameterKind.DENSE);
      case "all-but-experts" -> Set.of(ParameterKind.DENSE, ParameterKind.ROUTER);
      default ->
          throw new ConfigError(
              "train.freeze=" + freeze + " is not one of: none, router, dense, all-but-experts");
    };
  }

  private static <T> T bound(Supplier<T> build) {
    try {
      return build.get();
    } catch (ConfigError e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // The record's message names the key already; its stack trace adds nothing for a user.
      throw new ConfigError(e.getMessage());
    }
  }
}
