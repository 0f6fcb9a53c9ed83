package ai.llep.trainer.bench;

import ai.llep.dispatch.DispatchStats;
import ai.llep.plan.DispatchMode;

/**
 * One mode under one scenario. Times are the slowest rank's, in milliseconds.
 *
 * @param runsMs every timed run
 * @param medianMs the median of {@code runsMs}
 * @param floorMultiple {@code medianMs} over the compute floor's median
 * @param speedup EP's median over this mode's; null without an EP run
 * @param reach {@link ScenarioResult#reach}; null without EP or when the ceiling is about 1
 * @param peakBytes the largest peak device memory of any rank; null on CPU ranks
 * @param outputError largest relative difference of the output from EP's; null without EP
 * @param gradientError the same for the input gradient and the checked experts' weight gradients;
 *     null for the forward pass or without EP
 * @param stats what the dispatch did (loads before and after planning, spilled slots, transfers)
 */
public record ModeResult(
    DispatchMode mode,
    double[] runsMs,
    double medianMs,
    double floorMultiple,
    Double speedup,
    Double reach,
    Long peakBytes,
    Double outputError,
    Double gradientError,
    DispatchStats stats) {

  /** The worst of the output and gradient errors; 0 when nothing was compared. */
  public double worstError() {
    double worst = outputError == null ? 0 : outputError;
    return gradientError == null ? worst : Math.max(worst, gradientError);
  }
}
