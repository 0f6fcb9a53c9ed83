package ai.llep.trainer.bench;

import java.util.List;

/**
 * Everything one bench run measured, as printed and written.
 *
 * @param shape the layer that ran (after scaling)
 * @param ranks world size
 * @param device the device of rank 0's tensors
 * @param communicator the communicator's implementation
 * @param floorRunsMs the compute floor's timed runs (slowest rank)
 * @param floorMs the compute floor's median
 */
public record BenchReport(
    BenchOptions options,
    LayerShape shape,
    int ranks,
    String device,
    String communicator,
    double[] floorRunsMs,
    double floorMs,
    List<ScenarioResult> scenarios) {
  public BenchReport {
    scenarios = List.copyOf(scenarios);
  }

  /** The largest relative difference from EP of any output or gradient compared. */
  public double worstError() {
    double worst = 0;
    for (ScenarioResult scenario : scenarios) {
      for (ModeResult mode : scenario.modes()) {
        worst = Math.max(worst, mode.worstError());
      }
    }
    return worst;
  }

  /** True when every compared result is within the tolerance. */
  public boolean passed() {
    return worstError() <= options.tolerance();
  }
}
