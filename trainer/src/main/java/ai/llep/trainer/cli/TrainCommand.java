package ai.llep.trainer.cli;

import ai.llep.plan.Planner;
import ai.llep.runtime.WorldInfo;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ResolvedConfig;
import ai.llep.trainer.tracking.Trackers;
import ai.llep.trainer.train.PrecisionOptions;
import ai.llep.trainer.train.RankZeroTracking;
import ai.llep.trainer.train.RunTracking;
import ai.llep.trainer.train.TrainSettings;
import ai.llep.trainer.train.Trainer;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Supervised fine-tuning of an MoE model with EP/LLEP, checkpoints, tracking and export. SIGINT or
 * SIGTERM stops it after the current step with a checkpoint, exiting with 128 + the signal.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Fine-tune an MoE model (tiny-moe or a Hugging Face mixtral/qwen3_moe/olmoe folder) on JSONL "
            + "data with expert parallelism and LLEP; checkpoints, MLflow tracking, HF export. "
            + "SIGINT/SIGTERM stop it after the current step with a checkpoint.")
final class TrainCommand implements Callable<Integer> {
  /** The config sections train reads (and planner where llep.mode plans with it). */
  static final List<String> SECTIONS =
      List.of("model", "data", "optim", "train", "checkpoint", "tracking", "llep", "comm", "seed");

  /** The sections train shows for {@code config}: with the planner it plans with, and lora. */
  static List<String> sections(Config config) {
    List<String> sections = Settings.withPlanner(config, SECTIONS);
    if (!config.getString("train.method").trim().equalsIgnoreCase("lora")) {
      return sections;
    }
    return Stream.concat(sections.stream(), Stream.of("lora")).toList();
  }

  @Mixin CommandArgs args;

  @Override
  public Integer call() {
    ResolvedConfig resolved = Settings.load(args);
    Config config = resolved.config();
    if (config.getString("model.source").isBlank()) {
      throw new ConfigError(
          "model.source is empty: give tiny-moe or the folder of a Hugging Face checkpoint"
              + " (config.json, safetensors, tokenizer.json)");
    }
    TrainSettings settings = settings(config);
    PrecisionOptions precision = precision(config);
    RunTracking runTracking =
        new RunTracking(
            config.getString("tracking.uri"),
            config.getString("tracking.experiment"),
            config.getString("tracking.run-name"));
    Planner planner =
        Planner.create(Settings.dispatchMode(config), Settings.plannerOptions(config));
    ResolvedConfig shown = Settings.shown(resolved, args, sections(config));
    WorldInfo world = WorldInfo.fromEnvironment(System.getenv());
    StopSignals stop =
        StopSignals.install(world.rank(), world.localRank(), config.getDuration("comm.timeout"));
    try (Job job = Job.start(resolved, shown);
        RankZeroTracking tracking =
            new RankZeroTracking(
                job.comm().rank() == 0 ? Trackers.open(runTracking.uri()) : null,
                runTracking,
                shown.flatten(),
                resolved.render())) {
      Trainer.Outcome outcome;
      try {
        outcome =
            new Trainer(
                    job.comm(),
                    job.manager(),
                    settings,
                    precision,
                    TrainBinding.modelSpec(config),
                    planner,
                    resolved.render(),
                    tracking,
                    stop,
                    System.out)
                .run();
      } catch (RuntimeException | Error e) {
        // Errors too (out of memory, a fault reading a mapped file): the process is still alive
        // to end its run as FAILED.
        tracking.fail();
        throw e;
      }
      return outcome == Trainer.Outcome.STOPPED ? stop.exitCode() : 0;
    }
  }

  static TrainSettings settings(Config config) {
    return TrainBinding.settings(
        config, Optional.ofNullable(System.getenv("LLEP_HOME")).map(Path::of));
  }

  static PrecisionOptions precision(Config config) {
    try {
      return PrecisionOptions.parse(
          config.getString("train.precision"), config.getString("train.export-dtype"));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage(), e);
    }
  }
}
