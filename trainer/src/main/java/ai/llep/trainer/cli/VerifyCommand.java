package ai.llep.trainer.cli;

import ai.djl.ndarray.types.DataType;
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
            + "output, input, router and expert gradients with a dense single-process reference. "
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
    DataType dataType = Settings.dataType(config, "verify.dtype");
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
          dataType,
          config.getBoolean("verify.bias"),
          config.getBoolean("verify.router"),
          modes(config),
          tolerance(config, dataType),
          Settings.plannerOptions(config),
          config.getLong("seed"));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage(), e);
    }
  }

  /** {@code verify.tolerance}: a number, or {@code auto} for the dtype's default. */
  private static double tolerance(Config config, DataType dataType) {
    String text = config.getString("verify.tolerance").strip();
    if (text.equals("auto")) {
      return VerifyOptions.defaultTolerance(dataType);
    }
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new ConfigError("verify.tolerance=" + text + " is not a number or auto");
    }
  }

  private static List<DispatchMode> modes(Config config) {
    return Settings.stringOrList(config, "verify.modes").stream()
        .map(m -> Settings.parseChoice("verify.modes", m, DispatchMode::valueOf, "ep, llep, auto"))
        .toList();
  }
}
