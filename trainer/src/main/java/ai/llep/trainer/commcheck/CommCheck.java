package ai.llep.trainer.commcheck;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.Communicator;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The first thing to run on a new cluster: every collective on random tensors of several dtypes and
 * shapes, checked against a direct computation, then the bandwidth of each operation. Every rank
 * reaches the same verdict; rank 0 prints the report.
 */
public final class CommCheck {
  private static final List<DataType> DATA_TYPES =
      List.of(DataType.FLOAT32, DataType.FLOAT16, DataType.INT64);

  private final Communicator comm;
  private final CommCheckOptions options;
  private final PrintStream out;

  public CommCheck(Communicator comm, CommCheckOptions options, PrintStream out) {
    this.comm = comm;
    this.options = options;
    this.out = out;
  }

  /** Runs the check; returns true when every case passed on every rank. */
  public boolean run(NDManager manager) {
    List<CaseResult> results =
        new CollectiveCases(comm, options.seed(), options.maxRows())
            .run(manager, DATA_TYPES, options.shapesPerDataType());
    List<String> failures = failuresOnAnyRank(manager, results);
    List<BandwidthProbe.Measurement> bandwidth =
        options.bandwidthBytes() == 0
            ? List.of()
            : new BandwidthProbe(comm, options.iterations()).run(manager, options.bandwidthBytes());
    if (comm.rank() == 0) {
      report(results.size(), failures, bandwidth);
    }
    return failures.isEmpty();
  }

  private List<String> failuresOnAnyRank(NDManager manager, List<CaseResult> results) {
    long[] failedHere = new long[Math.max(1, results.size())];
    for (int i = 0; i < results.size(); i++) {
      failedHere[i] = results.get(i).passed() ? 0 : 1;
    }
    List<String> failures = new ArrayList<>();
    try (NDManager scope = manager.newSubManager();
        NDArray gathered = comm.allGather(scope.create(failedHere))) {
      long[] flags = gathered.toLongArray();
      for (int r = 0; r < comm.worldSize(); r++) {
        for (int i = 0; i < results.size(); i++) {
          if (flags[r * failedHere.length + i] != 0) {
            failures.add(results.get(i).describe() + " on rank " + r);
          }
        }
      }
    }
    return failures;
  }

  private void report(
      int cases, List<String> failures, List<BandwidthProbe.Measurement> bandwidth) {
    out.printf(
        Locale.ROOT,
        "comm-check: %d ranks, %d cases per rank (dtypes float32, float16, int64), %d failed%n",
        comm.worldSize(),
        cases,
        failures.size());
    failures.forEach(f -> out.println("  FAILED " + f));
    if (!bandwidth.isEmpty()) {
      out.printf(
          Locale.ROOT,
          "%-14s %12s %12s %12s %12s%n",
          "operation",
          "bytes",
          "time_ms",
          "algbw_GB/s",
          "busbw_GB/s");
      for (BandwidthProbe.Measurement m : bandwidth) {
        out.printf(
            Locale.ROOT,
            "%-14s %12d %12.3f %12.3f %12.3f%n",
            m.operation(),
            m.bytes(),
            m.seconds() * 1e3,
            m.algorithmGbPerSecond(),
            m.busGbPerSecond());
      }
    }
    out.println(
        failures.isEmpty()
            ? "comm-check PASS"
            : "comm-check FAIL "
                + failures.get(0)
                + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : ""));
    out.flush();
  }
}
