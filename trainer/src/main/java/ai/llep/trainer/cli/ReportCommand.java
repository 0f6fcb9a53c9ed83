package ai.llep.trainer.cli;

import ai.llep.trainer.report.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Plots of a finished or running training run, from its MLflow file-store folder. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Write PNG plots of a run (loss curve, per-layer expert-load heatmap, per-rank load before"
            + " and after LLEP) from its folder in an MLflow file store (mlruns/<experiment>/<run>).")
final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run's folder.")
  Path runDir;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where the PNGs go (default: <RUN_DIR>/artifacts/report).")
  Path out;

  @Override
  public Integer call() {
    if (!Files.isDirectory(runDir.resolve("metrics"))) {
      throw new IllegalArgumentException(
          runDir + " is not an MLflow run folder (it has no metrics/ folder)");
    }
    Path target = out != null ? out : runDir.resolve("artifacts").resolve("report");
    List<Path> written = RunReport.write(runDir, target);
    written.forEach(p -> System.out.println("wrote " + p));
    return 0;
  }
}
