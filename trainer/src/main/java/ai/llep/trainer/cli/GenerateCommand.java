package ai.llep.trainer.cli;

import ai.llep.models.ModelShard;
import ai.llep.plan.Planner;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.config.ResolvedConfig;
import ai.llep.trainer.generate.GenerateRun;
import ai.llep.trainer.train.InferenceModel;
import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Completes prompts with a model sharded over the ranks (experts split, MoE layers dispatched with
 * EP or LLEP), through the model's chat template, with a key/value cache.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Complete prompts with a model (tiny-moe, a Hugging Face folder or an export, or a"
            + " checkpoint of train) sharded over the ranks, through its chat template: greedy or"
            + " sampled, a key/value cache, completions on rank 0's stdout and in"
            + " generate.output. Usage: generate [MODEL-FOLDER] [CONFIG-FILE]"
            + " 'generate.prompt=...' [key=value...]")
final class GenerateCommand implements Callable<Integer> {
  /** The config sections generate reads (and planner where llep.mode plans with it). */
  static final List<String> SECTIONS = List.of("generate", "model", "data", "llep", "comm", "seed");

  private static final Logger LOG = LogManager.getLogger(GenerateCommand.class);

  @Mixin CommandArgs args;

  @Override
  public Integer call() {
    GenerateArguments parsed = GenerateArguments.parse(args.args);
    ResolvedConfig resolved = new ConfigLoader().load(parsed.configFile(), parsed.overrides());
    Config config = resolved.config();
    GenerateBinding.GenerateSettings settings = GenerateBinding.bind(config);
    Planner planner =
        Planner.create(Settings.dispatchMode(config), Settings.plannerOptions(config));
    ResolvedConfig shown = Settings.shown(resolved, args, Settings.withPlanner(config, SECTIONS));
    try (Job job = Job.start(resolved, shown)) {
      GenerateBinding.ModelChoice choice = settings.model();
      InferenceModel.Numerics numerics =
          InferenceModel.numerics(
              GenerateBinding.PRECISION_KEY, settings.precision(), job.manager().getDevice());
      if (numerics.warning() != null) {
        LOG.warn(numerics.warning());
      }
      if (job.comm().rank() == 0) {
        LOG.info("model: {}", choice.described());
        LOG.info("precision: {}", numerics.described());
      }
      try (InferenceModel model =
          InferenceModel.open(
              choice.spec(),
              choice.checkpoint(),
              choice.template(),
              settings.seed(),
              new ModelShard(job.comm().rank(), job.comm().worldSize()),
              planner,
              numerics.computeType(),
              job.manager())) {
        new GenerateRun(job.comm(), job.manager(), model, settings.options(), System.out)
            .run(settings.prompts(), settings.output());
      }
    }
    return 0;
  }
}
