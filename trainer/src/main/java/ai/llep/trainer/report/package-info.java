/**
 * PNG plots of a run, read from its folder in MLflow's file-store layout: the loss curve, the load
 * of each expert over the steps (one heatmap per MoE layer), and the mean load of each rank before
 * and after LLEP's planning (one bar chart per layer).
 *
 * <p>The loss is the {@code loss} metric; the loads are the run's {@link
 * ai.llep.trainer.report.ExpertLoads} artifacts (one JSON line per step), not metrics. Charts
 * render with AWT in headless mode, so no display is needed.
 */
package ai.llep.trainer.report;
