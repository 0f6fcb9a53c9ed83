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
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * EP and LLEP dispatch on P in-process ranks against the dense float64 reference, on fresh random
 * layers and routings (the seed is in every failure message): output, input, router and expert
 * gradients, with empty ranks, skewed routings and tiny m so that LLEP really spills; with the
 * experts given one by one, and stacked so that small neighbours run as batched GEMM chains.
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
      int batched) {}

  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {1, 2, 3, 4})
  void matchesTheDenseReference(int ranks) throws Exception {
    check(ranks, false);
  }

  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {1, 2, 3, 4})
  void stackedExpertsMatchTheDenseReference(int ranks) throws Exception {
    check(ranks, true);
  }

  private static void check(int ranks, boolean stacked) throws Exception {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    long spilledInTotal = 0;
    long batchedInTotal = 0;
    try (LocalWorld world =
            LocalWorld.start(
                ranks,
                new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(30), "127.0.0.1"));
        NDManager manager = NDManager.newBaseManager("PyTorch")) {
      for (int round = 0; round < 6; round++) {
        Case drawn = Case.random(random, ranks, stacked ? 3 : 1);
        Case c = stacked && round == 0 ? drawn.withSmallColdExperts() : drawn;
        long batchRows = stacked ? new long[] {1024, 1024, 6}[round % 3] : 0;
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
                  + " batch rows "
                  + batchRows;
          PlannerOptions options =
              new PlannerOptions(1.0, c.minTokens, 1.0, PlannerOptions.Variant.DEFAULT);
          MoeDispatcher dispatcher =
              new MoeDispatcher(
                  new ExpertPlacement(c.experts, ranks),
                  Planner.create(mode, options),
                  DispatchPhases.NONE,
                  batchRows);
          List<LocalWorld.Outcome<RankResult>> outcomes =
              world.run((rank, comm, m) -> runRank(c, rank, comm, m, dispatcher, stacked));
          List<RankResult> results = new ArrayList<>();
          for (int r = 0; r < ranks; r++) {
            assertNull(
                outcomes.get(r).error(),
                label + ": rank " + r + " failed: " + outcomes.get(r).error());
            results.add(outcomes.get(r).value());
            batchedInTotal += outcomes.get(r).value().batched();
          }
          compare(manager, c, results, label);
          if (mode == DispatchMode.LLEP) {
            spilledInTotal += results.getFirst().spilled();
          }
        }
      }
    }
    if (ranks > 1) {
      assertTrue(spilledInTotal > 0, "seed " + seed + ": LLEP never spilled, so it was not tested");
    }
    if (stacked) {
      assertTrue(batchedInTotal > 0, "seed " + seed + ": no expert ran in a batch");
    }
  }

  static RankResult runRank(
      Case c,
      int rank,
      ai.llep.comm.Communicator comm,
      NDManager parent,
      MoeDispatcher dispatcher,
      boolean stacked) {
    try (NDManager m = parent.newSubManager();
        GradMode grad = GradMode.enabled()) {
      NDArray x = c.tokens(m, rank);
      x.setRequiresGradient(true);
      NDArray router = c.router(m);
      router.setRequiresGradient(true);
      List<ExpertWeights> natives = new ArrayList<>();
      ExpertPlacement placement = dispatcher.placement();
      for (int e = placement.firstExpert(rank);
          e < placement.firstExpert(rank) + placement.expertsPerRank();
          e++) {
        natives.add(c.expert(m, e));
      }
      ExpertStack stack = stacked ? stack(natives) : null;
      List<NDArray> leaves = stacked ? stack.tensors() : new ArrayList<>();
      if (!stacked) {
        natives.forEach(w -> leaves.addAll(w.tensors()));
      }
      leaves.forEach(t -> t.setRequiresGradient(true));
      long[] choices = c.choices(rank);
      NDArray weights =
          x.matMul(router.transpose())
              .softmax(1)
              .gather(m.create(choices, new Shape(c.tokens[rank], c.topK)), 1);
      DistributedTape tape = DistributedTape.training(comm);
      DispatchResult result =
          stacked
              ? dispatcher.forward(tape, x, m.create(choices), weights, stack)
              : dispatcher.forward(tape, x, choices, weights, natives);
      tape.backward(result.output_TD(), c.upstream(m, rank));
      List<float[]> grads = new ArrayList<>();
      if (stacked) {
        List<NDArray> stackGrads = stack.tensors().stream().map(NDArray::getGradient).toList();
        for (int i = 0; i < natives.size(); i++) {
          for (NDArray g : stackGrads) {
            grads.add(g.get(i).toFloatArray());
          }
        }
      } else {
        natives.forEach(w -> w.tensors().forEach(t -> grads.add(t.getGradient().toFloatArray())));
      }
      return new RankResult(
          result.output_TD().toFloatArray(),
          x.getGradient().toFloatArray(),
          router.getGradient().toFloatArray(),
          grads,
          result.stats().spilledSlots(),
          result.stats().batchedExperts());
    }
  }

  static void compare(NDManager manager, Case c, List<RankResult> results, String label) {
    try (NDManager m = manager.newSubManager()) {
      int ranks = results.size();
      NDList xs = new NDList();
      NDList ups = new NDList();
      List<long[]> choices = new ArrayList<>();
      for (int r = 0; r < ranks; r++) {
        xs.add(c.tokens(m, r));
        ups.add(c.upstream(m, r));
        choices.add(c.choices(r));
      }
      long total = 0;
      for (int t : c.tokens) {
        total += t;
      }
      long[] allChoices = choices.stream().flatMapToLong(java.util.Arrays::stream).toArray();
      NDList gates = new NDList();
      NDList ups2 = new NDList();
      NDList downs = new NDList();
      NDList gateB = new NDList();
      NDList upB = new NDList();
      NDList downB = new NDList();
      for (int e = 0; e < c.experts; e++) {
        ExpertWeights w = c.expert(m, e);
        gates.add(w.gate());
        ups2.add(w.up());
        downs.add(w.down());
        if (c.bias) {
          gateB.add(w.gateBias());
          upB.add(w.upBias());
          downB.add(w.downBias());
        }
      }
      DenseMoeReference.Result ref =
          DenseMoeReference.run(
              m,
              NDArrays.concat(xs, 0),
              c.router(m),
              m.create(allChoices, new Shape(total, c.topK)),
              NDArrays.stack(gates),
              NDArrays.stack(ups2),
              NDArrays.stack(downs),
              c.bias
                  ? new NDList(NDArrays.stack(gateB), NDArrays.stack(upB), NDArrays.stack(downB))
                  : null,
              NDArrays.concat(ups, 0));
      float[] output = concat(results.stream().map(RankResult::output).toList());
      float[] inputGrad = concat(results.stream().map(RankResult::inputGrad).toList());
      float[] routerGrad = new float[results.getFirst().routerGrad().length];
      for (RankResult r : results) {
        for (int i = 0; i < routerGrad.length; i++) {
          routerGrad[i] += r.routerGrad()[i];
        }
      }
      assertClose(ref.output_TD(), output, label + " output");
      assertClose(ref.inputGrad_TD(), inputGrad, label + " input gradient");
      assertClose(ref.routerGrad_ND(), routerGrad, label + " router gradient");
      int perExpert = c.bias ? 6 : 3;
      NDArray[] refExpert = {
        ref.gateGrad_NFD(),
        ref.upGrad_NFD(),
        ref.downGrad_NDF(),
        ref.gateBiasGrad_NF(),
        ref.upBiasGrad_NF(),
        ref.downBiasGrad_ND()
      };
      int perRank = c.experts / ranks;
      for (int e = 0; e < c.experts; e++) {
        for (int t = 0; t < perExpert; t++) {
          float[] actual =
              results.get(e / perRank).expertGrads().get((e % perRank) * perExpert + t);
          assertClose(refExpert[t].get(e), actual, label + " expert " + e + " tensor " + t);
        }
      }
    }
  }

  private static ExpertStack stack(List<ExpertWeights> experts) {
    List<NDArray> stacked = new ArrayList<>();
    int tensors = experts.getFirst().tensors().size();
    for (int t = 0; t < tensors; t++) {
      NDList column = new NDList();
      for (ExpertWeights w : experts) {
        column.add(w.tensors().get(t));
      }
      stacked.add(NDArrays.stack(column));
    }
    return tensors == 3
        ? ExpertStack.withoutBias(stacked.get(0), stacked.get(1), stacked.get(2))
        : new ExpertStack(
            stacked.get(0),
            stacked.get(1),
            stacked.get(2),
            stacked.get(3),
            stacked.get(4),
            stacked.get(5));
  }

  private static float[] concat(List<float[]> parts) {
    int n = parts.stream().mapToInt(p -> p.length).sum();
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static void assertClose(NDArray reference, float[] actual, String what) {
    double[] ref = reference.toType(DataType.FLOAT64, false).toDoubleArray();
    assertEquals(ref.length, actual.length, what + ": size");
    double scale = 0;
    double err = 0;
    for (int i = 0; i < ref.length; i++) {
      scale = Math.max(scale, Math.abs(ref[i]));
      err = Math.max(err, Math.abs(ref[i] - actual[i]));
    }
    assertTrue(
        err <= TOLERANCE * Math.max(scale, 1e-3),
        what + ": max abs error " + err + " at scale " + scale);
  }

  /** One random layer and routing, reproducible from its seed on any rank. */
  record Case(
      long seed,
      int experts,
      int topK,
      int hidden,
      int ffn,
      int[] tokens,
      double hot,
      int minTokens,
      boolean bias) {
    static Case random(SplittableRandom random, int ranks, int minPerRank) {
      int experts = ranks * random.nextInt(minPerRank, minPerRank + 2);
      int topK = random.nextInt(1, Math.min(4, experts) + 1);
      int[] tokens = new int[ranks];
      for (int r = 0; r < ranks; r++) {
        tokens[r] = random.nextInt(4) == 0 ? 0 : random.nextInt(1, 40);
      }
      return new Case(
          random.nextLong(),
          experts,
          topK,
          random.nextInt(4, 12),
          random.nextInt(4, 12),
          tokens,
          random.nextDouble() < 0.7 ? 0.6 + 0.4 * random.nextDouble() : 0.0,
          random.nextInt(1, 4),
          random.nextBoolean());
    }

    /** This case with a hot expert 0 and tokens on rank 0, so the other experts get few rows. */
    Case withSmallColdExperts() {
      int[] more = tokens.clone();
      more[0] = Math.max(more[0], 20);
      return new Case(seed, experts, topK, hidden, ffn, more, 0.9, minTokens, bias);
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

    ExpertWeights expert(NDManager m, int e) {
      long s = 10_000L * (e + 1);
      NDArray gate = normal(m, new Shape(ffn, hidden), 0.4, s + 1);
      NDArray up = normal(m, new Shape(ffn, hidden), 0.4, s + 2);
      NDArray down = normal(m, new Shape(hidden, ffn), 0.4, s + 3);
      if (!bias) {
        return ExpertWeights.withoutBias(gate, up, down);
      }
      return new ExpertWeights(
          gate,
          up,
          down,
          normal(m, new Shape(ffn), 0.1, s + 4),
          normal(m, new Shape(ffn), 0.1, s + 5),
          normal(m, new Shape(hidden), 0.1, s + 6));
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
      return "experts "
          + experts
          + " top-k "
          + topK
          + " D "
          + hidden
          + " F "
          + ffn
          + " tokens "
          + java.util.Arrays.toString(tokens)
          + " hot "
          + String.format("%.2f", hot)
          + " m "
          + minTokens
          + " bias "
          + bias;
    }
  }
}
