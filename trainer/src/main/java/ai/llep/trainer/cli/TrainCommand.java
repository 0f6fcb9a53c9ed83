package ai.llep.trainer.cli;

import ai.llep.models.ActivationCheckpointing;
import ai.llep.models.ParameterKind;
import ai.llep.plan.Planner;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ResolvedConfig;
import ai.llep.trainer.data.SequencePacker;
import ai.llep.trainer.tracking.Trackers;
import ai.llep.trainer.train.ModelSpec;
import ai.llep.trainer.train.PrecisionOptions;
import ai.llep.trainer.train.RankZeroTracking;
import ai.llep.trainer.train.RunTracking;
import ai.llep.trainer.train.TrainSettings;
import ai.llep.trainer.train.Trainer;
import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Supervised fine-tuning of an MoE model with EP/LLEP, checkpoints, tracking and export. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Fine-tune an MoE model (tiny-moe or a Hugging Face mixtral/qwen3_moe/olmoe folder) on JSONL "
            + "data with expert parallelism and LLEP; checkpoints, MLflow tracking, HF export.")
final class TrainCommand implements Callable<Integer> {
  @Mixin CommandArgs args;

  @Override
  public Integer call() {
    ResolvedConfig resolved = Settings.load(args);
    Config config = resolved.config();
    TrainSettings settings = settings(config);
    PrecisionOptions precision = precision(config);
    if (config.getString("model.source").isBlank()) {
      throw new ConfigError(
          "model.source is empty: give tiny-moe or the folder of a Hugging Face checkpoint"
              + " (config.json, safetensors, tokenizer.json)");
    }
    RunTracking runTracking =
        new RunTracking(
            config.getString("tracking.uri"),
            config.getString("tracking.experiment"),
            config.getString("tracking.run-name"));
    Planner planner =
        Planner.create(Settings.dispatchMode(config), Settings.plannerOptions(config));
    try (Job job = Job.start(resolved);
        RankZeroTracking tracking =
            new RankZeroTracking(
                job.comm().rank() == 0 ? Trackers.open(runTracking.uri()) : null,
                runTracking,
                resolved.flatten(),
                resolved.render())) {
      try {
        new Trainer(
                job.comm(),
                job.manager(),
                settings,
                precision,
                new ModelSpec(
                    config.getString("model.source"), config.getInt("model.tiny-experts")),
                planner,
                resolved.render(),
                tracking,
                System.out)
            .run();
      } catch (RuntimeException e) {
        tracking.fail();
        throw e;
      }
      return 0;
    }
  }

  static TrainSettings settings(Config config) {
    try {
      return new TrainSettings(
          config.getInt("train.max-steps"),
          config.getInt("train.grad-accum"),
          config.getInt("data.batch-size"),
          config.getInt("data.max-length"),
          Settings.choice(config, "data.packing", SequencePacker.Mode::valueOf, "pad, pack"),
          config.getStringList("data.files").stream().map(TrainCommand::dataFile).toList(),
          config.getBoolean("data.skip-bad-lines"),
          config.getString("data.template"),
          config.getDouble("optim.lr"),
          config.getDouble("optim.min-lr-ratio"),
          config.getInt("optim.warmup-steps"),
          config.getString("optim.schedule"),
          config.getDouble("optim.weight-decay"),
          config.getDouble("optim.beta1"),
          config.getDouble("optim.beta2"),
          config.getDouble("optim.eps"),
          config.getDouble("optim.grad-clip"),
          frozen(config.getString("train.freeze")),
          config.getInt("train.log-every"),
          Path.of(config.getString("checkpoint.dir")),
          config.getInt("checkpoint.every"),
          config.getInt("checkpoint.keep-last"),
          config.getString("train.resume"),
          config.getString("train.export-dir").isEmpty()
              ? null
              : Path.of(config.getString("train.export-dir")),
          config.getLong("seed"),
          config.getInt("debug.sigkill-rank"),
          config.getInt("debug.sigkill-step"),
          Settings.choice(
              config,
              "train.activation-checkpointing",
              ActivationCheckpointing::valueOf,
              "none, moe, full"));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage(), e);
    }
  }

  static PrecisionOptions precision(Config config) {
    try {
      return PrecisionOptions.parse(
          config.getString("train.precision"), config.getString("train.export-dtype"));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage(), e);
    }
  }

  /** A data path as given, or else relative to the project home (for bundled recipe data). */
  private static Path dataFile(String path) {
    Path given = Path.of(path);
    String home = System.getenv("LLEP_HOME");
    if (Files.exists(given) || given.isAbsolute() || home == null) {
      return given;
    }
    Path underHome = Path.of(home).resolve(path);
    return Files.exists(underHome) ? underHome : given;
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
}
