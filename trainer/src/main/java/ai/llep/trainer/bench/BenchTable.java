package ai.llep.trainer.bench;

import java.util.Locale;

/** The bench report as a table with its header and the definitions of its columns. */
final class BenchTable {
  private static final String ROW = "%-12s %8s  %-5s %10s %8s %8s %7s %9s %10s %10s %10s %9s%n";

  private BenchTable() {}

  static String format(BenchReport report) {
    BenchOptions o = report.options();
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "bench %s, scale %s%s, %d ranks on %s (%s), %d tokens per rank, %s, %s, gemm %s,"
                + " %d warm-up and %d timed runs per case%n",
            report.shape().describe(),
            number(o.scale()),
            o.scale() == 1 ? " (D and F as published)" : " (D and F divided by it)",
            report.ranks(),
            report.device(),
            report.communicator(),
            o.tokensPerRank(),
            o.pass().label(),
            o.dataType().name().toLowerCase(Locale.ROOT),
            o.gemm().name().toLowerCase(Locale.ROOT),
            o.warmup(),
            o.runs()));
    text.append(
        String.format(
            Locale.ROOT,
            "compute floor %.3f ms: T*K rows per rank split evenly over its experts, the expert"
                + " function over all of them at once, no communication%n",
            report.floorMs()));
    text.append(
        String.format(
            Locale.ROOT,
            ROW,
            "scenario",
            "ceiling",
            "mode",
            "median_ms",
            "x_floor",
            "speedup",
            "reach",
            "peak_GiB",
            "out_err",
            "grad_err",
            "spilled",
            "transfers"));
    for (ScenarioResult scenario : report.scenarios()) {
      for (ModeResult mode : scenario.modes()) {
        text.append(
            String.format(
                Locale.ROOT,
                ROW,
                scenario.scenario(),
                String.format(Locale.ROOT, "%.2f", scenario.ceiling()),
                BenchRunner.label(mode.mode()),
                String.format(Locale.ROOT, "%.3f", mode.medianMs()),
                String.format(Locale.ROOT, "%.2f", mode.floorMultiple()),
                fixed(mode.speedup()),
                fixed(mode.reach()),
                mode.peakBytes() == null
                    ? "n/a"
                    : String.format(Locale.ROOT, "%.2f", mode.peakBytes() / (double) (1L << 30)),
                scientific(mode.outputError()),
                scientific(mode.gradientError()),
                Long.toString(mode.stats().spilledSlots()),
                Integer.toString(mode.stats().transfers())));
      }
    }
    text.append(
        "median_ms: median over timed runs of the slowest rank's device-synchronised time;"
            + " x_floor = median_ms / compute floor\n");
    text.append("speedup = t_EP / t_mode; ").append(ScenarioResult.REACH_DEFINITION).append('\n');
    text.append(
        "peak_GiB: largest device memory in use on any rank during one run (n/a on CPU);"
            + " out_err, grad_err: max |mode - EP| / max |EP| over ranks, for the output and for"
            + " the input and checked expert weight gradients\n");
    return text.toString();
  }

  private static String fixed(Double value) {
    return value == null ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
  }

  private static String scientific(Double value) {
    return value == null ? "n/a" : String.format(Locale.ROOT, "%.3e", value);
  }

  static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
