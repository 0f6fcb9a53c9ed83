package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import ai.llep.models.family.ModelConfig;
import ai.llep.models.layers.Segments;
import ai.llep.models.moe.RoutingStats;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Activation checkpointing changes what a step keeps, not what it computes: with {@code moe} and
 * {@code full} the loss and every gradient are bitwise those of {@code none}, on one rank and on
 * two ranks under EP and LLEP (whose recompute must reuse the forward's plan and borrowed weights),
 * and the tensors the step holds after the forward shrink.
 */
class ActivationCheckpointingTest {
  private static final long WEIGHTS_SEED = 7;
  private static LocalWorld world;

  /** One rank's step: its loss share, every gradient it holds, slots spilled, bytes held. */
  record Step(double loss, Map<String, double[]> gradients, long spilled, long heldBytes) {}

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

  @Test
  void oneRankComputesTheSameLossAndGradientsAndHoldsLessAfterTheForward() {
    // Qwen3-MoE here: a dense layer, attention biases, per-head norms and a tied head.
    ModelConfig config = TestModels.config(TestModels.QWEN3_MOE);
    int[][] ids = TestModels.tokens(31, 3, 12, config.vocabSize());
    Map<ActivationCheckpointing, Step> steps = new EnumMap<>(ActivationCheckpointing.class);
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      for (ActivationCheckpointing mode : ActivationCheckpointing.values()) {
        steps.put(
            mode,
            run(
                config,
                ModelShard.single(),
                new SingleProcessCommunicator(),
                root,
                DispatchMode.EP,
                mode,
                ids));
      }
    }
    Step none = steps.get(ActivationCheckpointing.NONE);
    assertSame(none, steps.get(ActivationCheckpointing.MOE), "moe");
    assertSame(none, steps.get(ActivationCheckpointing.FULL), "full");
    long moe = steps.get(ActivationCheckpointing.MOE).heldBytes();
    long full = steps.get(ActivationCheckpointing.FULL).heldBytes();
    assertTrue(moe < none.heldBytes(), "moe holds " + moe + " bytes, none " + none.heldBytes());
    assertTrue(full < moe, "full holds " + full + " bytes, moe " + moe);
  }

  @ParameterizedTest
  @EnumSource(
      value = DispatchMode.class,
      names = {"EP", "LLEP"})
  void twoRanksComputeTheSameLossAndGradients(DispatchMode dispatch) throws Exception {
    ModelConfig config = TestModels.config(TestModels.MIXTRAL);
    int[][][] ids = {
      TestModels.tokens(41, 2, 9, config.vocabSize()),
      TestModels.tokens(42, 3, 7, config.vocabSize())
    };
    Map<ActivationCheckpointing, List<Step>> steps = new EnumMap<>(ActivationCheckpointing.class);
    for (ActivationCheckpointing mode : ActivationCheckpointing.values()) {
      List<LocalWorld.Outcome<Step>> outcomes =
          world.run(
              (rank, comm, manager) ->
                  run(config, new ModelShard(rank, 2), comm, manager, dispatch, mode, ids[rank]));
      outcomes.forEach(o -> assertNull(o.error(), () -> mode + ": a rank failed: " + o.error()));
      steps.put(mode, outcomes.stream().map(LocalWorld.Outcome::value).toList());
    }
    List<Step> none = steps.get(ActivationCheckpointing.NONE);
    if (dispatch == DispatchMode.LLEP) {
      assertTrue(none.get(0).spilled() > 0, "LLEP moved no slot: nothing was lent");
    }
    for (ActivationCheckpointing mode :
        List.of(ActivationCheckpointing.MOE, ActivationCheckpointing.FULL)) {
      for (int rank = 0; rank < 2; rank++) {
        Step step = steps.get(mode).get(rank);
        assertEquals(none.get(rank).spilled(), step.spilled(), mode + " rank " + rank + " spilled");
        assertSame(none.get(rank), step, dispatch + " " + mode + " rank " + rank);
      }
    }
  }

  /**
   * gpt-oss: the recompute goes through the sink attention (its explicit math and window masks),
   * the biased router and the clamped, biased experts, on two ranks with LLEP spilling, over packed
   * rows whose segments restart the sliding window.
   */
  @Test
  void gptOssOnTwoRanksWithLlepComputesTheSameLossAndGradients() throws Exception {
    ModelConfig config = TestModels.config(TestModels.GPT_OSS);
    TokenBatch[] batches = {
      TokenBatch.causalLm(TestModels.tokens(51, 2, 9, config.vocabSize())),
      packed(TestModels.tokens(52, 2, 8, config.vocabSize()))
    };
    Map<ActivationCheckpointing, List<Step>> steps = new EnumMap<>(ActivationCheckpointing.class);
    for (ActivationCheckpointing mode : ActivationCheckpointing.values()) {
      List<LocalWorld.Outcome<Step>> outcomes =
          world.run(
              (rank, comm, manager) ->
                  run(
                      config,
                      new ModelShard(rank, 2),
                      comm,
                      manager,
                      DispatchMode.LLEP,
                      mode,
                      batches[rank]));
      outcomes.forEach(o -> assertNull(o.error(), () -> mode + ": a rank failed: " + o.error()));
      steps.put(mode, outcomes.stream().map(LocalWorld.Outcome::value).toList());
    }
    List<Step> none = steps.get(ActivationCheckpointing.NONE);
    assertTrue(none.get(0).spilled() > 0, "LLEP moved no slot: nothing was lent");
    assertTrue(none.get(0).gradients().keySet().stream().anyMatch(n -> n.endsWith("sinks")));
    for (ActivationCheckpointing mode :
        List.of(ActivationCheckpointing.MOE, ActivationCheckpointing.FULL)) {
      for (int rank = 0; rank < 2; rank++) {
        assertSame(none.get(rank), steps.get(mode).get(rank), "gpt-oss " + mode + " rank " + rank);
      }
    }
  }

  private static TokenBatch packed(int[][] ids) {
    return TokenBatch.packed(ids, ids, new Segments(new int[][] {{5, 3}, {2, 6}}));
  }

  private static void assertSame(Step expected, Step actual, String what) {
    assertEquals(expected.loss(), actual.loss(), what + ": loss");
    assertEquals(expected.gradients().keySet(), actual.gradients().keySet(), what + ": tensors");
    expected
        .gradients()
        .forEach(
            (name, g) ->
                assertArrayEquals(g, actual.gradients().get(name), what + ": gradient of " + name));
  }

  private static Step run(
      ModelConfig config,
      ModelShard shard,
      Communicator comm,
      NDManager parent,
      DispatchMode dispatch,
      ActivationCheckpointing checkpointing,
      int[][] ids) {
    return run(config, shard, comm, parent, dispatch, checkpointing, TokenBatch.causalLm(ids));
  }

  private static Step run(
      ModelConfig config,
      ModelShard shard,
      Communicator comm,
      NDManager parent,
      DispatchMode dispatch,
      ActivationCheckpointing checkpointing,
      TokenBatch batch) {
    try (GradMode grad = GradMode.enabled();
        MoeTransformer model =
            MoeTransformer.load(
                config,
                TestModels.checkpoint(config, WEIGHTS_SEED),
                shard,
                Checks.planner(dispatch),
                DataType.FLOAT32,
                parent);
        NDManager step = parent.newSubManager()) {
      DistributedTape tape = DistributedTape.training(comm);
      LossOutput out = model.loss(tape, step, batch, checkpointing);
      NDArray share = out.loss().globalMean(comm);
      long held = heldBytes(step);
      tape.backward(share);
      Map<String, double[]> gradients = new TreeMap<>();
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
      return new Step(Checks.host(share)[0], gradients, spilled, held);
    }
  }

  /** Bytes of every tensor {@code step} holds (a view counts as its own size). */
  private static long heldBytes(NDManager step) {
    long bytes = 0;
    for (NDArray x : step.getManagedArrays()) {
      bytes += x.getShape().size() * x.getDataType().getNumOfBytes();
    }
    return bytes;
  }
}
