package ai.llep.trainer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The framework's command line: one JVM per rank, started by {@code scripts/launch.sh}. */
@Command(
    name = "llep",
    mixinStandardHelpOptions = true,
    version = "llep 0.1.0",
    description = "Least-Loaded Expert Parallelism for MoE fine-tuning.",
    subcommands = {
      CommCheckCommand.class,
      VerifyCommand.class,
      PlanCommand.class,
      TrainCommand.class,
      PreviewCommand.class,
      GenerateCommand.class,
      ReportCommand.class,
      BenchCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    try {
      LauncherWatch.start(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(new FailureHandler())
        .execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
