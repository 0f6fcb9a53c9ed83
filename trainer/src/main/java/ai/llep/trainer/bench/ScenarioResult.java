package ai.llep.trainer.bench;

import java.util.List;

/**
 * One routing scenario under every mode.
 *
 * @param scenario the routing's config text ({@code 95:1})
 * @param ceiling the largest speedup any balancer can get over EP at this world size: max over mean
 *     of the ranks' native loads under EP
 */
public record ScenarioResult(String scenario, double ceiling, List<ModeResult> modes) {
  /** The definition printed with the table and written to the JSON. */
  public static final String REACH_DEFINITION =
      "reach = (t_EP / t_mode - 1) / (ceiling - 1): the share of the largest possible gain over EP"
          + " that the mode realises; ceiling = max / mean native rank load under EP; n/a when the"
          + " ceiling is below 1.01";

  public ScenarioResult {
    modes = List.copyOf(modes);
  }

  /** The fraction of the ceiling's gain that {@code speedup} realises; null when n/a. */
  public static Double reach(Double speedup, double ceiling) {
    if (speedup == null || ceiling < 1.01) {
      return null;
    }
    return (speedup - 1) / (ceiling - 1);
  }
}
