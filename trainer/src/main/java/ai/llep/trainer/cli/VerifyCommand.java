package ai.llep.trainer.cli;

import ai.llep.models.experts.ExpertKind;
import ai.llep.plan.DispatchMode;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ResolvedConfig;
import ai.llep.trainer.routing.RoutingScenario;
import ai.llep.trainer.verify.VerifyOptions;
import ai.llep.trainer.verify.VerifyRunner;
import com.typesafe.config.Config;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Checks EP and LLEP against a single-process dense MoE: output and every gradient. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Run one MoE layer forward and backward across the ranks with EP and LLEP and compare "
            + "output, input, router and expert gradients with a dense single-process reference "
            + "(verify.expert-function: swiglu or gpt-oss). "
            + "verify.imbalance, verify.top-k and verify.modes take a value or a list; every "
            + "combination is one case. Ends with 'verify PASS max_rel_err=<x>' or 'verify FAIL ...'.")
final class VerifyCommand implements Callable<Integer> {
  /** The config sections this command reads. */
  static final List<String> SECTIONS = List.of("verify", "llep", "planner", "comm", "seed");

  @Mixin CommandArgs args;

  @Override
  public Integer call() {
    ResolvedConfig resolved = Settings.load(args);
    VerifyOptions options = options(resolved.config());
    try (Job job = Job.start(resolved, Settings.shown(resolved, args, SECTIONS))) {
      double worst = new VerifyRunner(job.comm(), options, System.out).run(job.manager());
      boolean passed = worst <= options.tolerance();
      if (job.comm().rank() == 0) {
        System.out.printf(
            Locale.ROOT,
            passed
                ? "verify PASS max_rel_err=%.3e%n"
                : "verify FAIL max_rel_err=%.3e exceeds tolerance %.1e%n",
            worst,
            options.tolerance());
      }
      return passed ? 0 : 1;
    }
  }

  static VerifyOptions options(Config config) {
    try {
      return new VerifyOptions(
          config.getInt("verify.experts"),
          Settings.stringOrList(config, "verify.top-k").stream().map(Integer::parseInt).toList(),
          Settings.stringOrList(config, "verify.tokens-per-rank").stream()
              .map(Integer::parseInt)
              .toList(),
          config.getInt("verify.hidden"),
          config.getInt("verify.ffn"),
          Settings.stringOrList(config, "verify.imbalance").stream()
              .map(RoutingScenario::parse)
              .toList(),
          Settings.dataType(config, "verify.dtype"),
          ExpertKind.parse("verify.expert-function", config.getString("verify.expert-function")),
          config.getBoolean("verify.bias"),
          config.getBoolean("verify.router"),
          modes(config),
          config.getDouble("verify.tolerance"),
          Settings.plannerOptions(config),
          config.getLong("seed"));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage(), e);
    }
  }

  private static List<DispatchMode> modes(Config config) {
    return Settings.stringOrList(config, "verify.modes").stream()
        .map(m -> Settings.parseChoice("verify.modes", m, DispatchMode::valueOf, "ep, llep, auto"))
        .toList();
  }
}
