package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.Communicator;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.layers.CausalLmLoss;
import ai.llep.models.moe.RoutingStats;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data parallel plus expert parallel training is exact: two ranks, each with its own batch and its
 * own experts, combining the loss as sum over the global token count, give (after summing dense
 * gradients over ranks) the gradients of one rank running the concatenated batch, for every
 * parameter, under EP and LLEP.
 */
class ModelGradientTest {
  private static final double TOLERANCE = 1e-4;
  private static final long WEIGHTS_SEED = 5;
  private static LocalWorld world;

  /** Every gradient a rank holds, by parameter name, its share of the loss, slots LLEP moved. */
  record Gradients(Map<String, double[]> byName, double lossShare, long spilled) {}

  @BeforeAll
  static void startWorld() throws Exception {
    world =
        LocalWorld.start(
            2, new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(30), "127.0.0.1"));
  }

  @AfterAll
  static void stopWorld() {
    world.close();
  }

  static Stream<Arguments> familiesAndModes() {
    return Stream.of(TestModels.MIXTRAL, TestModels.QWEN3_MOE, TestModels.OLMOE)
        .flatMap(
            f -> Stream.of(Arguments.of(f, DispatchMode.EP), Arguments.of(f, DispatchMode.LLEP)));
  }

  @ParameterizedTest(name = "{index} {1}")
  @MethodSource("familiesAndModes")
  void twoRanksGiveTheGradientsOfOneRankOnTheWholeBatch(String json, DispatchMode mode)
      throws Exception {
    ModelConfig config = TestModels.config(json);
    int[][][] ids = {
      TestModels.tokens(21, 2, 5, config.vocabSize()),
      TestModels.tokens(22, 2, 5, config.vocabSize())
    };
    int[][][] labels = {ids[0].clone(), ids[1].clone()};
    labels[0][0] =
        new int[] {
          ids[0][0][0], ids[0][0][1], CausalLmLoss.IGNORE_INDEX, ids[0][0][3], ids[0][0][4]
        };
    labels[1][1] =
        new int[] {
          ids[1][1][0],
          CausalLmLoss.IGNORE_INDEX,
          CausalLmLoss.IGNORE_INDEX,
          CausalLmLoss.IGNORE_INDEX,
          ids[1][1][4]
        };

    Gradients one;
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      int[][] allIds = {ids[0][0], ids[0][1], ids[1][0], ids[1][1]};
      int[][] allLabels = {labels[0][0], labels[0][1], labels[1][0], labels[1][1]};
      one =
          run(
              config,
              ModelShard.single(),
              new SingleProcessCommunicator(),
              root,
              mode,
              allIds,
              allLabels);
    }
    List<LocalWorld.Outcome<Gradients>> outcomes =
        world.run(
            (rank, comm, manager) ->
                run(config, new ModelShard(rank, 2), comm, manager, mode, ids[rank], labels[rank]));
    outcomes.forEach(o -> assertNull(o.error(), () -> "a rank failed: " + o.error()));
    Gradients rank0 = outcomes.get(0).value();
    Gradients rank1 = outcomes.get(1).value();

    if (mode == DispatchMode.LLEP) {
      assertTrue(rank0.spilled() + rank1.spilled() > 0, "LLEP moved no slot: nothing was lent");
    }
    assertEquals(one.lossShare(), rank0.lossShare() + rank1.lossShare(), 1e-5 * one.lossShare());
    for (TensorSpec spec : TensorLayout.all(config)) {
      double[] expected = one.byName().get(spec.name());
      double[] actual;
      if (spec.kind() == ParameterKind.EXPERT) {
        int owner = spec.expert() / (config.numExperts() / 2);
        actual = (owner == 0 ? rank0 : rank1).byName().get(spec.name());
        assertNull((owner == 0 ? rank1 : rank0).byName().get(spec.name()), "held twice");
      } else {
        actual = sum(rank0.byName().get(spec.name()), rank1.byName().get(spec.name()));
        assertTrue(maxAbs(expected) > 0, spec.name() + " got no gradient");
      }
      Checks.assertClose(expected, actual, TOLERANCE, mode + " gradient of " + spec.name());
    }
  }

  @Test
  void aFrozenGroupGetsNoGradientWhileTheOthersStillDo() {
    ModelConfig config = TestModels.config(TestModels.MIXTRAL);
    InMemoryTensorSource source = TestModels.checkpoint(config, WEIGHTS_SEED);
    TokenBatch batch = TokenBatch.causalLm(TestModels.tokens(23, 2, 5, config.vocabSize()));
    try (NDManager root = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled();
        MoeTransformer model =
            MoeTransformer.load(
                config,
                source,
                ModelShard.single(),
                Checks.planner(DispatchMode.EP),
                DataType.FLOAT32,
                root);
        NDManager step = root.newSubManager()) {
      model.parameters().setTrainable(ParameterKind.ROUTER, false);
      DistributedTape tape = DistributedTape.training(new SingleProcessCommunicator());
      tape.backward(model.loss(tape, step, batch).loss().mean());
      for (Parameter p : model.parameters().all()) {
        if (p.kind() == ParameterKind.ROUTER) {
          assertFalse(p.array().hasGradient(), p.name());
        } else if (p.kind() == ParameterKind.DENSE) {
          try (NDArray gradient = p.array().getGradient()) {
            assertTrue(maxAbs(Checks.host(gradient)) > 0, p.name() + " got no gradient");
          }
        }
      }
    }
  }

  private static Gradients run(
      ModelConfig config,
      ModelShard shard,
      Communicator comm,
      NDManager parent,
      DispatchMode mode,
      int[][] ids,
      int[][] labels) {
    InMemoryTensorSource source = TestModels.checkpoint(config, WEIGHTS_SEED);
    try (GradMode grad = GradMode.enabled();
        MoeTransformer model =
            MoeTransformer.load(
                config, source, shard, Checks.planner(mode), DataType.FLOAT32, parent)) {
      NDManager owner = model.parameters().all().getFirst().array().getManager();
      int held = owner.getManagedArrays().size();
      Gradients gradients = step(model, comm, parent, mode, TokenBatch.of(ids).withLabels(labels));
      assertEquals(
          held, owner.getManagedArrays().size(), "a training step left arrays in the model");
      return gradients;
    }
  }

  private static Gradients step(
      MoeTransformer model,
      Communicator comm,
      NDManager parent,
      DispatchMode mode,
      TokenBatch batch) {
    try (NDManager step = parent.newSubManager()) {
      DistributedTape tape = DistributedTape.training(comm);
      LossOutput out = model.loss(tape, step, batch);
      NDArray share = out.loss().globalMean(comm);
      tape.backward(share);
      Map<String, double[]> gradients = new HashMap<>();
      for (Parameter p : model.parameters().all()) {
        try (NDArray gradient = p.array().getGradient()) {
          p.byCheckpointName(gradient, step)
              .forEach((name, g) -> gradients.put(name, Checks.host(g)));
        }
      }
      long spilled = 0;
      for (RoutingStats stats : out.routing()) {
        spilled += stats.dispatch().spilledSlots();
      }
      return new Gradients(gradients, Checks.host(share)[0], spilled);
    }
  }

  private static double[] sum(double[] a, double[] b) {
    double[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += b[i];
    }
    return out;
  }

  private static double maxAbs(double[] x) {
    double max = 0;
    for (double v : x) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
