package ai.llep.plan;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Planning time of one layer at DeepSeek-V3 scale: N = 256 experts on P = 64 ranks, 16K tokens per
 * rank, K = 8. Run with {@code scripts/bench-planner.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PlannerBenchmark {
  private static final int EXPERTS = 256;
  private static final int RANKS = 64;
  private static final int TOKENS_PER_RANK = 16384;
  private static final int TOP_K = 8;

  /** "zipf": Zipf(1.2) routing, every rank its own draws; "hot": the paper's 95:4. */
  @Param({"zipf", "hot"})
  public String routing;

  private long[][] counts;
  private ExpertPlacement placement;
  private Planner llep;
  private Planner reference;
  private Planner auto;

  @Setup
  public void setUp() {
    placement = new ExpertPlacement(EXPERTS, RANKS);
    counts =
        switch (routing) {
          case "zipf" ->
              SyntheticRouting.zipfCounts(RANKS, EXPERTS, TOKENS_PER_RANK, TOP_K, 1.2, 42);
          case "hot" ->
              SyntheticRouting.hotColdCounts(RANKS, EXPERTS, TOKENS_PER_RANK, TOP_K, 95, 4);
          default -> throw new IllegalArgumentException("unknown routing " + routing);
        };
    PlannerOptions options = PlannerOptions.defaults();
    llep = Planner.create(DispatchMode.LLEP, options);
    reference =
        Planner.create(DispatchMode.LLEP, options.withVariant(PlannerOptions.Variant.REFERENCE));
    auto = Planner.create(DispatchMode.AUTO, options);
  }

  @Benchmark
  public Plan leastLoaded() {
    return llep.plan(counts, placement);
  }

  @Benchmark
  public Plan reference() {
    return reference.plan(counts, placement);
  }

  @Benchmark
  public Plan auto() {
    return auto.plan(counts, placement);
  }
}
