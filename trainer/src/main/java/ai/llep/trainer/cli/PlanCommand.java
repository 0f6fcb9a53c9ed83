package ai.llep.trainer.cli;

import ai.llep.plan.DispatchMode;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Plan;
import ai.llep.plan.PlanFormatter;
import ai.llep.plan.Planner;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ResolvedConfig;
import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Prints the plan for given per-expert loads (single process): which ranges of each spilled expert
 * go where, per-rank loads and weight transfers. For debugging and for tuning the knobs.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description =
        "Print the LLEP plan for plan.loads=[...] over plan.ranks ranks "
            + "(knobs: llep.mode, llep.alpha, llep.min-tokens-per-gemm, llep.lambda, planner.variant).")
final class PlanCommand implements Callable<Integer> {
  @Mixin CommandArgs args;

  @Override
  public Integer call() {
    ResolvedConfig resolved = Settings.load(args);
    Config config = resolved.config();
    List<Long> loads = config.getLongList("plan.loads");
    if (loads.isEmpty()) {
      throw new ConfigError(
          "plan.loads is empty: give the tokens per expert, e.g. plan.loads=[900,40,30,30]");
    }
    int ranks = config.getInt("plan.ranks");
    if (ranks < 1 || loads.size() % ranks != 0) {
      throw new ConfigError(
          "plan.ranks="
              + ranks
              + " must be >= 1 and divide the number of experts ("
              + loads.size()
              + ")");
    }
    long[][] counts = new long[ranks][loads.size()];
    for (int e = 0; e < loads.size(); e++) {
      counts[0][e] = loads.get(e);
    }
    DispatchMode mode = Settings.dispatchMode(config);
    Plan plan =
        Planner.create(mode, Settings.plannerOptions(config))
            .plan(counts, new ExpertPlacement(loads.size(), ranks));
    System.out.println(PlanFormatter.format(plan).stripTrailing());
    return 0;
  }
}
