package ai.llep.trainer.cli;

import ai.llep.trainer.commcheck.CommCheck;
import ai.llep.trainer.commcheck.CommCheckOptions;
import ai.llep.trainer.config.ResolvedConfig;
import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Checks every collective against a direct computation and measures bandwidth. */
@Command(
    name = "comm-check",
    mixinStandardHelpOptions = true,
    description =
        "Run every collective on random tensors (float32, float16, int64; empty splits included), "
            + "check results against a direct computation and print bandwidth. "
            + "Ends with 'comm-check PASS' or 'comm-check FAIL <what>'.")
final class CommCheckCommand implements Callable<Integer> {
  /** The config sections this command reads. */
  static final List<String> SECTIONS = List.of("comm-check", "comm", "seed");

  @Mixin CommandArgs args;

  @Override
  public Integer call() {
    ResolvedConfig resolved = Settings.load(args);
    Config config = resolved.config();
    CommCheckOptions options =
        new CommCheckOptions(
            config.getInt("comm-check.shapes-per-dtype"),
            config.getInt("comm-check.max-rows"),
            config.getBytes("comm-check.bandwidth-bytes"),
            config.getInt("comm-check.iterations"),
            config.getLong("seed"));
    try (Job job = Job.start(resolved, Settings.shown(resolved, args, SECTIONS))) {
      boolean passed = new CommCheck(job.comm(), options, System.out).run(job.manager());
      return passed ? 0 : 1;
    }
  }
}
