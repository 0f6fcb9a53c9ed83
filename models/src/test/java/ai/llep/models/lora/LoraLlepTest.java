package ai.llep.models.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.Communicator;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.dispatch.DispatchStats;
import ai.llep.models.LossOutput;
import ai.llep.models.ModelShard;
import ai.llep.models.MoeTransformer;
import ai.llep.models.Parameter;
import ai.llep.models.TokenBatch;
import ai.llep.models.family.HfConfigParser;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.moe.RoutingStats;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LoRA through LLEP: experts lent to helpers carry their adapters, only the adapters' gradients
 * come back, and a helper that keeps borrowed base weights ({@code FrozenWeightCache}) is lent only
 * the adapters of an expert it holds. On 2 and 3 ranks with LLEP spilling, the loss and every
 * adapter gradient equal one process's; a second pass with the same plan moves no base weight (from
 * the layers' {@link DispatchStats}) and computes the same; a cache too small for every borrowed
 * expert evicts and still computes the same.
 */
class LoraLlepTest {
  /** One pass on one rank: its share of the loss, its adapters' gradients, each layer's stats. */
  record Pass(double loss, Map<String, double[]> gradients, List<DispatchStats> stats) {}

  @ParameterizedTest(name = "{0} ranks, cache budget {1} bytes")
  @CsvSource({"2, 1000000000", "3, 1000000000", "3, 20000"})
  void lendsAdaptersWithTheirExpertsAndKeepsBorrowedBaseWeights(int world, long cacheBytes)
      throws Exception {
    LoraFixture f = LoraFixture.named("mixtral");
    Pass single;
    try (NDManager root = NDManager.newBaseManager()) {
      single =
          passes(f, ModelShard.single(), new SingleProcessCommunicator(), root, f.inputIds(), 0, 1)
              .getFirst();
    }
    List<List<Pass>> ranks = new ArrayList<>();
    try (LocalWorld local =
        LocalWorld.start(
            world, new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(30), "127.0.0.1"))) {
      int rows = f.inputIds().length / world;
      for (LocalWorld.Outcome<List<Pass>> outcome :
          local.run(
              (rank, comm, manager) ->
                  passes(
                      f,
                      new ModelShard(rank, world),
                      comm,
                      manager,
                      Arrays.copyOfRange(f.inputIds(), rank * rows, (rank + 1) * rows),
                      cacheBytes,
                      2))) {
        assertNull(outcome.error(), () -> "a rank failed: " + outcome.error());
        ranks.add(outcome.value());
      }
    }
    for (int pass = 0; pass < 2; pass++) {
      double loss = 0;
      Map<String, double[]> gradients = new TreeMap<>();
      for (List<Pass> rank : ranks) {
        loss += rank.get(pass).loss();
        // Replicated adapters hold each rank's share; an expert's adapters only on its owner.
        rank.get(pass)
            .gradients()
            .forEach((name, g) -> gradients.merge(name, g, LoraLlepTest::sum));
      }
      String what = world + " ranks, pass " + (pass + 1);
      assertEquals(single.loss(), loss, 1e-5 * single.loss(), what + ": loss");
      assertEquals(single.gradients().keySet(), gradients.keySet(), what + ": adapter tensors");
      single.gradients().forEach((name, g) -> assertClose(g, gradients.get(name), what, name));
    }
    List<DispatchStats> first = ranks.getFirst().get(0).stats();
    List<DispatchStats> second = ranks.getFirst().get(1).stats();
    long spilledFirst = first.stream().mapToLong(DispatchStats::frozenBytesMoved).sum();
    assertTrue(spilledFirst > 0, "the first pass lent no base weights: LLEP spilled nothing");
    for (int layer = 0; layer < second.size(); layer++) {
      DispatchStats s = second.get(layer);
      assertTrue(s.weightBytesMoved() > 0 || s.transfers() == 0, "adapters still move");
      if (cacheBytes > 1_000_000) {
        assertEquals(0, s.frozenBytesMoved(), "layer " + layer + ": base bytes moved in pass 2");
        assertEquals(s.transfers(), s.cacheHits(), "layer " + layer + ": every transfer a hit");
      }
    }
    if (cacheBytes <= 1_000_000) {
      long spilledSecond = second.stream().mapToLong(DispatchStats::frozenBytesMoved).sum();
      assertTrue(spilledSecond > 0, "a cache of one expert cannot hold every borrowed expert");
    }
  }

  /** {@code count} identical passes (loss and backward, gradients zeroed between them). */
  private static List<Pass> passes(
      LoraFixture f,
      ModelShard shard,
      Communicator comm,
      NDManager parent,
      int[][] rows,
      long cacheBytes,
      int count) {
    int[][] labels = labelsOf(f, rows);
    Planner planner =
        Planner.create(
            DispatchMode.LLEP, new PlannerOptions(1.0, 1, 1.0, PlannerOptions.Variant.DEFAULT));
    List<Pass> out = new ArrayList<>();
    try (HfCheckpoint base = HfCheckpoint.open(f.modelDir());
        PeftAdapterSource adapter = PeftAdapterSource.open(f.initialAdapter(), f.spec());
        MoeTransformer model =
            MoeTransformer.load(
                HfConfigParser.parse(base.configText()),
                base,
                shard,
                planner,
                DataType.FLOAT32,
                parent,
                new LoraModel(f.spec(), adapter, cacheBytes))) {
      for (int i = 0; i < count; i++) {
        out.add(pass(model, comm, parent, rows, labels));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static Pass pass(
      MoeTransformer model, Communicator comm, NDManager parent, int[][] rows, int[][] labels) {
    try (GradMode grad = GradMode.enabled();
        NDManager step = parent.newSubManager()) {
      DistributedTape tape = DistributedTape.training(comm);
      LossOutput out = model.loss(tape, step, TokenBatch.causalLm(rows).withLabels(labels));
      NDArray share = out.loss().globalMean(comm);
      tape.backward(share);
      Map<String, double[]> gradients = new TreeMap<>();
      for (Parameter p : model.adapters().all()) {
        try (NDArray gradient = p.array().getGradient()) {
          p.byCheckpointName(gradient, step)
              .forEach(
                  (name, g) ->
                      gradients.put(name, g.toType(DataType.FLOAT64, true).toDoubleArray()));
          gradient.muli(0);
        }
      }
      List<DispatchStats> stats = out.routing().stream().map(RoutingStats::dispatch).toList();
      return new Pass(share.getFloat(), gradients, stats);
    }
  }

  /** The fixture's labels of the rows {@code rows} is (a slice of its batch). */
  private static int[][] labelsOf(LoraFixture f, int[][] rows) {
    int[][] labels = new int[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      for (int i = 0; i < f.inputIds().length; i++) {
        if (f.inputIds()[i] == rows[r]) {
          labels[r] = f.labels()[i];
        }
      }
    }
    return labels;
  }

  private static double[] sum(double[] a, double[] b) {
    double[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += b[i];
    }
    return out;
  }

  private static void assertClose(double[] expected, double[] actual, String what, String name) {
    double scale = 0;
    double error = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      error = Math.max(error, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(
        error <= 1e-5 * scale + 1e-9,
        what + ": gradient of " + name + " differs by " + error + " (largest " + scale + ")");
  }
}
