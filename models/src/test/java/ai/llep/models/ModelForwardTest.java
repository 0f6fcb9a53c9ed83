package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.Communicator;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TensorNames;
import ai.llep.models.moe.RoutingStats;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Logits of each family against the plain-Java double reference: on one rank, and on two ranks
 * (each loading only its experts, each with its own batch) under EP and LLEP.
 */
class ModelForwardTest {
  private static final double TOLERANCE = 1e-4;
  private static final long WEIGHTS_SEED = 7;
  private static LocalWorld world;

  /** One rank's logits and how many slots LLEP moved off their native rank. */
  record RankRun(double[] logits, int[][] ids, long spilled) {}

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

  static Stream<String> families() {
    return Stream.of(TestModels.MIXTRAL, TestModels.QWEN3_MOE, TestModels.OLMOE);
  }

  static Stream<Arguments> familiesAndModes() {
    return families()
        .flatMap(
            f -> Stream.of(Arguments.of(f, DispatchMode.EP), Arguments.of(f, DispatchMode.LLEP)));
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("families")
  void oneRankMatchesTheReference(String json) {
    ModelConfig config = TestModels.config(json);
    InMemoryTensorSource source = TestModels.checkpoint(config, WEIGHTS_SEED);
    int[][] ids = TestModels.tokens(11, 2, 6, config.vocabSize());
    TokenBatch batch = TokenBatch.of(ids);
    try (NDManager root = NDManager.newBaseManager("PyTorch");
        MoeTransformer model =
            MoeTransformer.load(
                config,
                source,
                ModelShard.single(),
                Checks.planner(DispatchMode.EP),
                DataType.FLOAT32,
                root);
        NDManager step = root.newSubManager()) {
      DistributedTape tape = DistributedTape.inference(new SingleProcessCommunicator());
      ModelOutput out = model.forward(tape, step, batch);
      assertEquals(new Shape(2, 6, config.vocabSize()), out.logits_BSV().getShape());
      double[][][] expected =
          new ReferenceModel(config, source::values).logits(ids, batch.positions_BS());
      Checks.assertClose(
          Checks.flatten(expected),
          Checks.host(out.logits_BSV()),
          TOLERANCE,
          config.family() + " logits");
      int moeLayers = config.numLayers() - config.denseLayers().size();
      assertEquals(moeLayers, out.routing().size());
      for (RoutingStats stats : out.routing()) {
        assertEquals(2L * 6 * config.topK(), Arrays.stream(stats.localExpertLoad_E()).sum());
      }
    }
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("families")
  void float16InferenceStaysCloseToFloat32(String json) {
    ModelConfig config = TestModels.config(json);
    InMemoryTensorSource source = TestModels.checkpoint(config, WEIGHTS_SEED);
    TokenBatch batch = TokenBatch.of(TestModels.tokens(12, 2, 6, config.vocabSize()));
    double[][] logits = new double[2][];
    DataType[] types = {DataType.FLOAT32, DataType.FLOAT16};
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      for (int i = 0; i < types.length; i++) {
        try (MoeTransformer model =
                MoeTransformer.load(
                    config,
                    source,
                    ModelShard.single(),
                    Checks.planner(DispatchMode.EP),
                    types[i],
                    root);
            NDManager step = root.newSubManager()) {
          DistributedTape tape = DistributedTape.inference(new SingleProcessCommunicator());
          ModelOutput out = model.forward(tape, step, batch);
          assertEquals(types[i], out.logits_BSV().getDataType());
          logits[i] = Checks.host(out.logits_BSV());
        }
      }
    }
    Checks.assertClose(logits[0], logits[1], 2e-2, config.family() + " float16 logits");
  }

  @ParameterizedTest(name = "{index} {1}")
  @MethodSource("familiesAndModes")
  void twoRanksMatchTheReference(String json, DispatchMode mode) throws Exception {
    ModelConfig config = TestModels.config(json);
    List<LocalWorld.Outcome<RankRun>> outcomes =
        world.run((rank, comm, manager) -> runRank(config, rank, comm, manager, mode));
    long spilled = 0;
    for (int rank = 0; rank < 2; rank++) {
      LocalWorld.Outcome<RankRun> outcome = outcomes.get(rank);
      assertNull(outcome.error(), () -> "rank failed: " + outcome.error());
      RankRun run = outcome.value();
      InMemoryTensorSource source = TestModels.checkpoint(config, WEIGHTS_SEED);
      double[][][] expected =
          new ReferenceModel(config, source::values)
              .logits(run.ids(), TokenBatch.of(run.ids()).positions_BS());
      Checks.assertClose(
          Checks.flatten(expected),
          run.logits(),
          TOLERANCE,
          config.family() + " " + mode + " rank " + rank);
      spilled += run.spilled();
    }
    if (mode == DispatchMode.LLEP) {
      assertTrue(spilled > 0, "LLEP moved no slot, so its path was not exercised");
    }
  }

  private static RankRun runRank(
      ModelConfig config, int rank, Communicator comm, NDManager parent, DispatchMode mode) {
    InMemoryTensorSource source = TestModels.checkpoint(config, WEIGHTS_SEED);
    // Ranks get different batch shapes: the model is data parallel over whatever each rank holds.
    int[][] ids = TestModels.tokens(100 + rank, 2 + rank, 6 - rank, config.vocabSize());
    try (MoeTransformer model =
            MoeTransformer.load(
                config,
                source,
                new ModelShard(rank, 2),
                Checks.planner(mode),
                DataType.FLOAT32,
                parent);
        NDManager step = parent.newSubManager()) {
      assertReadOnlyOwnExperts(config, source, rank);
      DistributedTape tape = DistributedTape.inference(comm);
      ModelOutput out = model.forward(tape, step, TokenBatch.of(ids));
      long spilled = 0;
      for (RoutingStats stats : out.routing()) {
        spilled += stats.dispatch().spilledSlots();
      }
      return new RankRun(Checks.host(out.logits_BSV()), ids, spilled);
    }
  }

  private static void assertReadOnlyOwnExperts(
      ModelConfig config, InMemoryTensorSource source, int rank) {
    TensorNames names = new TensorNames(config.family());
    for (int layer = 0; layer < config.numLayers(); layer++) {
      if (!config.isMoeLayer(layer)) {
        continue;
      }
      for (int e = 0; e < config.numExperts(); e++) {
        boolean own = e / (config.numExperts() / 2) == rank;
        String name = names.expertGate(layer, e);
        assertEquals(own, source.readNames().contains(name), "rank " + rank + " read " + name);
      }
    }
  }
}
