package ai.llep.trainer.cli;

import ai.djl.ndarray.types.DataType;
import ai.llep.dispatch.ExpertGemm;
import ai.llep.models.experts.ExpertKind;
import ai.llep.plan.DispatchMode;
import ai.llep.trainer.bench.BenchOptions;
import ai.llep.trainer.bench.BenchPass;
import ai.llep.trainer.bench.BenchReport;
import ai.llep.trainer.bench.BenchRunner;
import ai.llep.trainer.bench.LayerShape;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ResolvedConfig;
import ai.llep.trainer.routing.RoutingScenario;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Times one MoE layer under EP and LLEP against the ceiling and the compute floor. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Time one MoE layer (bench.layer: gpt-oss-120b, gpt-oss-20b, deepseek-v3, kimi-k2 or "
            + "custom) under "
            + "every mode of bench.modes for every routing of bench.scenarios; print the table, "
            + "write bench.json and bench.png to bench.output. Ends with 'bench PASS "
            + "max_rel_err=<x>' or 'bench FAIL ...' (outputs and gradients against EP's).")
final class BenchCommand implements Callable<Integer> {
  /** The config sections this command reads. */
  static final List<String> SECTIONS = List.of("bench", "llep", "planner", "comm", "seed");

  @Mixin CommandArgs args;

  @Override
  public Integer call() {
    ResolvedConfig resolved = Settings.load(args);
    BenchOptions options = options(resolved.config());
    try (Job job = Job.start(resolved, Settings.shown(resolved, args, SECTIONS))) {
      BenchReport report = new BenchRunner(job.comm(), options, System.out).run(job.manager());
      if (job.comm().rank() == 0) {
        System.out.printf(
            Locale.ROOT,
            report.passed()
                ? "bench PASS max_rel_err=%.3e%n"
                : "bench FAIL max_rel_err=%.3e exceeds tolerance %.1e%n",
            report.worstError(),
            options.tolerance());
      }
      return report.passed() ? 0 : 1;
    }
  }

  static BenchOptions options(Config config) {
    try {
      return new BenchOptions(
          layer(config),
          config.getDouble("bench.scale"),
          config.getInt("bench.tokens-per-rank"),
          Settings.stringOrList(config, "bench.scenarios").stream()
              .map(RoutingScenario::parse)
              .toList(),
          Settings.stringOrList(config, "bench.modes").stream()
              .map(
                  m ->
                      Settings.parseChoice(
                          "bench.modes", m, DispatchMode::valueOf, "ep, llep, auto"))
              .toList(),
          Settings.choice(config, "bench.pass", BenchPass::valueOf, "forward, forward-backward"),
          Settings.choice(config, "bench.dtype", DataType::valueOf, "float16, float32, bfloat16"),
          config.getInt("bench.warmup"),
          config.getInt("bench.runs"),
          Path.of(config.getString("bench.output")),
          config.getBoolean("bench.trace"),
          config.getLong("bench.batch-rows"),
          Settings.choice(config, "bench.gemm", ExpertGemm::valueOf, "auto, batched, grouped"),
          Settings.plannerOptions(config),
          config.getDouble("bench.tolerance"),
          config.getLong("seed"));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage(), e);
    }
  }

  private static LayerShape layer(Config config) {
    String name = config.getString("bench.layer");
    if (!name.strip().equalsIgnoreCase("custom")) {
      return LayerShape.preset(name);
    }
    return new LayerShape(
        "custom",
        config.getInt("bench.experts"),
        config.getInt("bench.hidden"),
        config.getInt("bench.ffn"),
        config.getInt("bench.top-k"),
        ExpertKind.parse("bench.expert-function", config.getString("bench.expert-function")));
  }
}
