package ai.llep.plan;

import java.util.Locale;

/** Renders a plan for people: spilled experts, per-rank loads, transfers and a summary line. */
public final class PlanFormatter {
  private PlanFormatter() {}

  /**
   * Several lines; the last is exactly {@code plan cap=<n> max_load=<n> ep_max_load=<n>
   * transfers=<n>}.
   */
  public static String format(Plan plan) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "llep mode=%s applied=%s ratio_rank=%.3f ratio_expert=%.3f forced_chunks=%d%n",
            plan.mode(),
            plan.llepApplied(),
            plan.imbalance().perRank(),
            plan.imbalance().perExpert(),
            plan.forcedChunks()));
    ExpertPlacement placement = plan.placement();
    for (int e = 0; e < placement.experts(); e++) {
      if (plan.spilled(e)) {
        out.append("expert ")
            .append(e)
            .append(" (native ")
            .append(placement.nativeRank(e))
            .append(", ")
            .append(plan.count(e))
            .append(" slots):");
        for (Assignment a : plan.assignments(e)) {
          out.append(" [")
              .append(a.start())
              .append(',')
              .append(a.end())
              .append(")->")
              .append(a.rank());
        }
        out.append('\n');
      }
    }
    for (int r = 0; r < placement.ranks(); r++) {
      out.append("rank ")
          .append(r)
          .append(" load ")
          .append(plan.epLoad(r))
          .append(" -> ")
          .append(plan.load(r))
          .append('\n');
    }
    for (WeightTransfer t : plan.transfers()) {
      out.append("transfer expert ")
          .append(t.expert())
          .append(" rank ")
          .append(t.owner())
          .append(" -> ")
          .append(t.helper())
          .append('\n');
    }
    return out.append(summary(plan)).toString();
  }

  /** {@code plan cap=<n> max_load=<n> ep_max_load=<n> transfers=<n>}. */
  public static String summary(Plan plan) {
    return "plan cap="
        + plan.capacity()
        + " max_load="
        + plan.maxLoad()
        + " ep_max_load="
        + plan.epMaxLoad()
        + " transfers="
        + plan.transfers().size();
  }
}
