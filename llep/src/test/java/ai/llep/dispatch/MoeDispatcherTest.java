package ai.llep.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.Communicator;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import ai.llep.reference.DenseMoeReference;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * EP and LLEP dispatch on P in-process ranks against the dense float64 reference, on fresh random
 * layers and routings (the seed is in every failure message): output, input, router and every
 * expert tensor's gradient, with empty ranks, skewed routings and tiny m so that LLEP really spills
 * (and the test fails if it never did). Each of two expert functions (a SwiGLU, with and without
 * biases, and a clamped gated unit with interleaved gate and up and biases) runs both as batched
 * GEMM chains (small stacked neighbours padded into one batch, the others alone) and as one grouped
 * call per projection (native and borrowed experts together).
 */
class MoeDispatcherTest {
  private static final double TOLERANCE = 1e-5;

  /** What one rank computed, copied to the host. */
  record RankResult(
      float[] output,
      float[] inputGrad,
      float[] routerGrad,
      List<float[]> expertGrads,
      long spilled,
      int batched,
      int grouped) {}

  /** The expert functions under test. */
  enum Kind {
    SWIGLU,
    CLAMPED
  }

  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {1, 2, 3, 4})
  void swiGluMatchesTheDenseReference(int ranks) throws Exception {
    check(ranks, Kind.SWIGLU);
  }

  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {1, 2, 3, 4})
  void clampedGluMatchesTheDenseReference(int ranks) throws Exception {
    check(ranks, Kind.CLAMPED);
  }

  /**
   * bfloat16 tokens and experts through the TCP communicator, the tape and the weight loans (every
   * tensor that crosses ranks is bfloat16), batched and grouped, within bfloat16 rounding of the
   * reference on the same rounded inputs.
   */
  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {2, 3})
  void bfloat16MatchesTheDenseReference(int ranks) throws Exception {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    long spilled = 0;
    try (LocalWorld world =
            LocalWorld.start(
                ranks,
                new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(30), "127.0.0.1"));
        NDManager manager = NDManager.newBaseManager("PyTorch")) {
      for (int round = 0; round < 4; round++) {
        Kind kind = Kind.values()[round % 2];
        Case c = Case.random(random, ranks, 2, kind).withSmallColdExperts().unclamped();
        ExpertGemm gemm = round < 2 ? ExpertGemm.BATCHED : ExpertGemm.GROUPED;
        for (DispatchMode mode : List.of(DispatchMode.EP, DispatchMode.LLEP)) {
          String label =
              "seed " + seed + " round " + round + " " + c + " mode " + mode + " " + gemm;
          MoeDispatcher dispatcher = c.dispatcher(ranks, mode, gemm, 1024);
          List<LocalWorld.Outcome<RankResult>> outcomes =
              world.run(
                  (rank, comm, m) -> runRank(c, rank, comm, m, dispatcher, DataType.BFLOAT16));
          List<RankResult> results = new ArrayList<>();
          for (int r = 0; r < ranks; r++) {
            assertNull(
                outcomes.get(r).error(),
                label + ": rank " + r + " failed: " + outcomes.get(r).error());
            results.add(outcomes.get(r).value());
          }
          compare(manager, c, results, DataType.BFLOAT16, 3e-2, label);
          spilled += mode == DispatchMode.LLEP ? results.getFirst().spilled() : 0;
        }
      }
    }
    assertTrue(spilled > 0, "seed " + seed + ": LLEP never spilled, so it was not tested");
  }

  private static void check(int ranks, Kind kind) throws Exception {
    check(ranks, kind, System.nanoTime());
  }

  /** A failure names its seed, with which this repeats it. */
  static void check(int ranks, Kind kind, long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    long spilled = 0;
    long batched = 0;
    long grouped = 0;
    try (LocalWorld world =
            LocalWorld.start(
                ranks,
                new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(30), "127.0.0.1"));
        NDManager manager = NDManager.newBaseManager("PyTorch")) {
      for (int round = 0; round < 6; round++) {
        Case drawn = Case.random(random, ranks, 3, kind);
        Case c = round < 3 ? drawn.withSmallColdExperts() : drawn;
        ExpertGemm gemm = round % 2 == 0 ? ExpertGemm.BATCHED : ExpertGemm.GROUPED;
        long batchRows = new long[] {1024, 1024, 6}[round / 2];
        for (DispatchMode mode : List.of(DispatchMode.EP, DispatchMode.LLEP)) {
          String label =
              "seed "
                  + seed
                  + " round "
                  + round
                  + " "
                  + c
                  + " mode "
                  + mode
                  + " gemm "
                  + gemm
                  + " batch rows "
                  + batchRows;
          MoeDispatcher dispatcher = c.dispatcher(ranks, mode, gemm, batchRows);
          List<LocalWorld.Outcome<RankResult>> outcomes =
              world.run((rank, comm, m) -> runRank(c, rank, comm, m, dispatcher, DataType.FLOAT32));
          List<RankResult> results = new ArrayList<>();
          for (int r = 0; r < ranks; r++) {
            assertNull(
                outcomes.get(r).error(),
                label + ": rank " + r + " failed: " + outcomes.get(r).error());
            results.add(outcomes.get(r).value());
            batched += outcomes.get(r).value().batched();
            grouped += outcomes.get(r).value().grouped();
          }
          compare(manager, c, results, DataType.FLOAT32, TOLERANCE, label);
          if (mode == DispatchMode.LLEP) {
            spilled += results.getFirst().spilled();
          }
        }
      }
    }
    if (ranks > 1) {
      assertTrue(spilled > 0, "seed " + seed + ": LLEP never spilled, so it was not tested");
    }
    assertTrue(batched > 0, "seed " + seed + ": no expert ran in a batch");
    assertTrue(grouped > 0, "seed " + seed + ": no expert ran in a grouped call");
  }

  /**
   * One rank's forward and distributed backward with the layer in {@code type}: tokens and stacked
   * experts are leaves of that type, the router a float32 leaf whose softmax runs in float32.
   */
  static RankResult runRank(
      Case c,
      int rank,
      Communicator comm,
      NDManager parent,
      MoeDispatcher dispatcher,
      DataType type) {
    try (NDManager m = parent.newSubManager();
        GradMode grad = GradMode.enabled()) {
      NDArray x = leaf(as(c.tokens(m, rank), type));
      NDArray router = leaf(c.router(m));
      ExpertPlacement placement = dispatcher.placement();
      int first = placement.firstExpert(rank);
      List<NDArray> stacked = new ArrayList<>();
      for (NDArray tensor : c.stack(m, first, first + placement.expertsPerRank())) {
        stacked.add(leaf(as(tensor, type)));
      }
      long[] choices = c.choices(rank);
      NDArray x32 = type == DataType.FLOAT32 ? x : Aten.cast(x, DataType.FLOAT32);
      NDArray weights =
          x32.matMul(router.transpose())
              .softmax(1)
              .gather(m.create(choices, new Shape(c.tokens[rank], c.topK)), 1);
      if (type != DataType.FLOAT32) {
        weights = Aten.cast(weights, type);
      }
      DistributedTape tape = DistributedTape.training(comm);
      DispatchResult result =
          dispatcher.forward(tape, x, m.create(choices), weights, new ExpertStack(stacked));
      tape.backward(result.output_TD(), as(c.upstream(m, rank), type));
      List<float[]> grads = new ArrayList<>();
      List<NDArray> stackGrads = stacked.stream().map(NDArray::getGradient).toList();
      for (int i = 0; i < placement.expertsPerRank(); i++) {
        for (NDArray g : stackGrads) {
          grads.add(floats(g.get(i)));
        }
      }
      return new RankResult(
          floats(result.output_TD()),
          floats(x.getGradient()),
          floats(router.getGradient()),
          grads,
          result.stats().spilledSlots(),
          result.stats().batchedExperts(),
          result.stats().groupedExperts());
    }
  }

  /**
   * Compares every rank's results with the dense reference on the same inputs and weights (rounded
   * to {@code type} first, so only the computation's rounding counts): each quantity's largest
   * error must stay within {@code tolerance} times its largest reference magnitude.
   */
  static void compare(
      NDManager manager,
      Case c,
      List<RankResult> results,
      DataType type,
      double tolerance,
      String label) {
    try (NDManager m = manager.newSubManager()) {
      int ranks = results.size();
      NDList xs = new NDList();
      NDList ups = new NDList();
      long total = 0;
      for (int r = 0; r < ranks; r++) {
        xs.add(rounded(c.tokens(m, r), type));
        ups.add(rounded(c.upstream(m, r), type));
        total += c.tokens[r];
      }
      long[] allChoices = new long[0];
      for (int r = 0; r < ranks; r++) {
        long[] mine = c.choices(r);
        long[] joined = Arrays.copyOf(allChoices, allChoices.length + mine.length);
        System.arraycopy(mine, 0, joined, allChoices.length, mine.length);
        allChoices = joined;
      }
      List<NDArray> stacked = new ArrayList<>();
      for (NDArray tensor : c.stack(m, 0, c.experts)) {
        stacked.add(rounded(tensor, type));
      }
      DenseMoeReference.Result ref =
          DenseMoeReference.run(
              m,
              c.function(),
              NDArrays.concat(xs, 0),
              c.router(m),
              m.create(allChoices, new Shape(total, c.topK)),
              stacked,
              NDArrays.concat(ups, 0));
      float[] routerGrad = new float[results.getFirst().routerGrad().length];
      for (RankResult r : results) {
        for (int i = 0; i < routerGrad.length; i++) {
          routerGrad[i] += r.routerGrad()[i];
        }
      }
      assertClose(
          ref.output_TD(), joined(results, RankResult::output), tolerance, label + " output");
      assertClose(
          ref.inputGrad_TD(),
          joined(results, RankResult::inputGrad),
          tolerance,
          label + " input gradient");
      assertClose(ref.routerGrad_ND(), routerGrad, tolerance, label + " router gradient");
      int perExpert = stacked.size();
      int perRank = c.experts / ranks;
      for (int e = 0; e < c.experts; e++) {
        for (int t = 0; t < perExpert; t++) {
          float[] actual =
              results.get(e / perRank).expertGrads().get((e % perRank) * perExpert + t);
          assertClose(
              ref.expertGrads_N().get(t).get(e),
              actual,
              tolerance,
              label + " expert " + e + " tensor " + t);
        }
      }
    }
  }

  private static float[] joined(
      List<RankResult> results, java.util.function.Function<RankResult, float[]> part) {
    List<float[]> parts = results.stream().map(part).toList();
    float[] out = new float[parts.stream().mapToInt(p -> p.length).sum()];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static void assertClose(
      NDArray reference, float[] actual, double tolerance, String what) {
    double[] ref = reference.toType(DataType.FLOAT64, false).toDoubleArray();
    assertEquals(ref.length, actual.length, what + ": size");
    double scale = 0;
    double err = 0;
    for (int i = 0; i < ref.length; i++) {
      scale = Math.max(scale, Math.abs(ref[i]));
      err = Math.max(err, Math.abs(ref[i] - actual[i]));
    }
    assertTrue(
        err <= tolerance * Math.max(scale, 1e-3),
        what + ": max abs error " + err + " at scale " + scale);
  }

  private static NDArray leaf(NDArray x) {
    x.setRequiresGradient(true);
    return x;
  }

  /** {@code x} (float32) as {@code type}, outside any graph. */
  private static NDArray as(NDArray x, DataType type) {
    return type == DataType.FLOAT32 ? x : Aten.cast(x, type);
  }

  /** {@code x} rounded to {@code type} and back to float32. */
  private static NDArray rounded(NDArray x, DataType type) {
    return type == DataType.FLOAT32 ? x : Aten.cast(Aten.cast(x, type), DataType.FLOAT32);
  }

  private static float[] floats(NDArray x) {
    DataType type = Aten.dtype(x);
    return (type == DataType.FLOAT32 ? x : Aten.cast(x, DataType.FLOAT32)).toFloatArray();
  }

  /** One random layer and routing, reproducible from its seed on any rank. */
  record Case(
      long seed,
      Kind kind,
      int experts,
      int topK,
      int hidden,
      int ffn,
      int[] tokens,
      double hot,
      int minTokens,
      boolean bias,
      double limit) {
    /**
     * The clamped unit's bound: low enough that the clamps act on some entries (values are of order
     * 0.3), high enough that float32 and float64 rarely fall on different sides of it.
     */
    static final double LIMIT = 1.0;

    static Case random(SplittableRandom random, int ranks, int minPerRank, Kind kind) {
      int experts = ranks * random.nextInt(minPerRank, minPerRank + 2);
      int topK = random.nextInt(1, Math.min(4, experts) + 1);
      int[] tokens = new int[ranks];
      for (int r = 0; r < ranks; r++) {
        tokens[r] = random.nextInt(4) == 0 ? 0 : random.nextInt(1, 40);
      }
      return new Case(
          random.nextLong(),
          kind,
          experts,
          topK,
          random.nextInt(4, 12),
          random.nextInt(4, 12),
          tokens,
          random.nextDouble() < 0.7 ? 0.6 + 0.4 * random.nextDouble() : 0.0,
          random.nextInt(1, 4),
          random.nextBoolean(),
          LIMIT);
    }

    /** This case with a hot expert 0 and tokens on rank 0, so the other experts get few rows. */
    Case withSmallColdExperts() {
      int[] more = tokens.clone();
      more[0] = Math.max(more[0], 40);
      return new Case(seed, kind, experts, topK, hidden, ffn, more, 0.75, minTokens, bias, limit);
    }

    /** This case with D and F rounded up to multiples of {@code multiple}. */
    Case aligned(int multiple) {
      return new Case(
          seed,
          kind,
          experts,
          topK,
          roundUp(hidden, multiple),
          roundUp(ffn, multiple),
          tokens,
          hot,
          minTokens,
          bias,
          limit);
    }

    /**
     * This case with the clamped unit bounded where no value reaches: for bfloat16, whose rounding
     * would put values near the bound on the other side than the float64 reference does.
     */
    Case unclamped() {
      return new Case(seed, kind, experts, topK, hidden, ffn, tokens, hot, minTokens, bias, 8.0);
    }

    private static int roundUp(int value, int multiple) {
      return (value + multiple - 1) / multiple * multiple;
    }

    ExpertFunction function() {
      return kind == Kind.SWIGLU
          ? new TestExperts.SwiGlu(hidden, ffn, bias)
          : new TestExperts.ClampedGlu(hidden, ffn, 1.702, limit);
    }

    MoeDispatcher dispatcher(int ranks, DispatchMode mode, ExpertGemm gemm, long batchRows) {
      PlannerOptions options =
          new PlannerOptions(1.0, minTokens, 1.0, PlannerOptions.Variant.DEFAULT);
      return new MoeDispatcher(
          new ExpertPlacement(experts, ranks),
          Planner.create(mode, options),
          function(),
          DispatchPhases.NONE,
          batchRows,
          gemm);
    }

    NDArray tokens(NDManager m, int rank) {
      return normal(m, new Shape(tokens[rank], hidden), 1.0, 1_000 + rank);
    }

    NDArray upstream(NDManager m, int rank) {
      return normal(m, new Shape(tokens[rank], hidden), 1.0, 2_000 + rank);
    }

    NDArray router(NDManager m) {
      return normal(m, new Shape(experts, hidden), 0.5, 3_000);
    }

    /** Experts {@code [from, to)} stacked, per tensor of the function: matrices 0.4, biases 0.1. */
    List<NDArray> stack(NDManager m, int from, int to) {
      List<Shape> shapes = function().expertShapes();
      List<NDArray> stacked = new ArrayList<>();
      for (int i = 0; i < shapes.size(); i++) {
        NDList column = new NDList();
        for (int e = from; e < to; e++) {
          Shape shape = shapes.get(i);
          column.add(normal(m, shape, shape.dimension() == 1 ? 0.1 : 0.4, 10_000L * (e + 1) + i));
        }
        stacked.add(NDArrays.stack(column));
      }
      return stacked;
    }

    /** With probability {@code hot} a slot goes to expert 0 (the hot one), else anywhere. */
    long[] choices(int rank) {
      SplittableRandom random = new SplittableRandom(seed * 31 + rank);
      long[] out = new long[tokens[rank] * topK];
      for (int i = 0; i < out.length; i++) {
        out[i] = random.nextDouble() < hot ? 0 : random.nextInt(experts);
      }
      return out;
    }

    private NDArray normal(NDManager m, Shape shape, double scale, long stream) {
      SplittableRandom random = new SplittableRandom(seed ^ (stream * 0x9E3779B97F4A7C15L));
      float[] values = new float[Math.toIntExact(shape.size())];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
      }
      return m.create(values, shape);
    }

    @Override
    public String toString() {
      return function()
          + ", experts "
          + experts
          + " top-k "
          + topK
          + " D "
          + hidden
          + " F "
          + ffn
          + " tokens "
          + Arrays.toString(tokens)
          + " hot "
          + String.format("%.2f", hot)
          + " m "
          + minTokens
          + (kind == Kind.CLAMPED ? " limit " + limit : "");
    }
  }
}
