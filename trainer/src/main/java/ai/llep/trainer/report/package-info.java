/**
 * PNG plots of a run, read from its folder in MLflow's file-store layout: the loss curve, the load
 * of each expert over the steps (one heatmap per MoE layer), and the mean load of each rank before
 * and after LLEP's planning (one bar chart per layer).
 *
 * <p>MoE metrics are found by name: {@code moe/layer<i>/expert<e>_load}, {@code
 * moe/layer<i>/rank<r>_load_before} and {@code moe/layer<i>/rank<r>_load_after}. Charts render with
 * AWT in headless mode, so no display is needed.
 */
package ai.llep.trainer.report;
