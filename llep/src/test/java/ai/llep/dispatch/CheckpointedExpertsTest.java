package ai.llep.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.dispatch.MoeDispatcherTest.Case;
import ai.llep.dispatch.MoeDispatcherTest.Kind;
import ai.llep.dispatch.MoeDispatcherTest.RankResult;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import ai.llep.tape.GradMode;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link MoeDispatcher#recomputingExperts}: the expert functions (a biased SwiGLU and the clamped
 * gated unit), batched and grouped, EP and LLEP with borrowed experts, in float32 and bfloat16,
 * give bit for bit the outputs and gradients of the same dispatch without the checkpoint, and the
 * expert function really runs twice: once without autograd in the forward, once in the backward.
 * One rank's grouped calls take the single-rank dispatch, whose experts recompute the same way.
 */
class CheckpointedExpertsTest {
  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {1, 2, 3})
  void recomputedExpertsGiveTheSameOutputsAndGradients(int ranks) throws Exception {
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
        Case c = Case.random(random, ranks, 2, kind).withSmallColdExperts();
        ExpertGemm gemm = round < 2 ? ExpertGemm.BATCHED : ExpertGemm.GROUPED;
        DataType type = round == 3 ? DataType.BFLOAT16 : DataType.FLOAT32;
        for (DispatchMode mode : List.of(DispatchMode.EP, DispatchMode.LLEP)) {
          String label = "seed " + seed + " round " + round + " " + c + " " + mode + " " + gemm;
          Counting plain = new Counting(c.function());
          Counting checkpointed = new Counting(c.function());
          List<RankResult> expected =
              run(world, c, dispatcher(c, ranks, mode, gemm, plain), type, label);
          List<RankResult> actual =
              run(
                  world,
                  c,
                  dispatcher(c, ranks, mode, gemm, checkpointed).recomputingExperts(),
                  type,
                  label + " checkpointed");
          for (int r = 0; r < ranks; r++) {
            assertSame(expected.get(r), actual.get(r), label + " rank " + r);
          }
          assertEquals(0, plain.withoutGrad.get(), label + ": experts ran without autograd");
          assertEquals(
              plain.withGrad.get(),
              checkpointed.withoutGrad.get(),
              label + ": the checkpointed forward runs every group once without autograd");
          assertEquals(
              plain.withGrad.get(),
              checkpointed.withGrad.get(),
              label + ": the backward recomputes every group once");
          spilled += mode == DispatchMode.LLEP ? expected.getFirst().spilled() : 0;
        }
      }
    }
    if (ranks > 1) {
      assertTrue(spilled > 0, "seed " + seed + ": LLEP never spilled, so borrowing was not tested");
    }
  }

  private static MoeDispatcher dispatcher(
      Case c, int ranks, DispatchMode mode, ExpertGemm gemm, ExpertFunction function) {
    PlannerOptions options =
        new PlannerOptions(1.0, c.minTokens(), 1.0, PlannerOptions.Variant.DEFAULT);
    return new MoeDispatcher(
        new ExpertPlacement(c.experts(), ranks),
        Planner.create(mode, options),
        function,
        DispatchPhases.NONE,
        1024,
        gemm);
  }

  /** An expert function that counts its calls with and without autograd, over all ranks. */
  private static final class Counting implements ExpertFunction {
    private final ExpertFunction inner;
    private final AtomicInteger withGrad = new AtomicInteger();
    private final AtomicInteger withoutGrad = new AtomicInteger();

    Counting(ExpertFunction inner) {
      this.inner = inner;
    }

    @Override
    public List<Shape> expertShapes() {
      return inner.expertShapes();
    }

    @Override
    public NDArray forward(ExpertGroup group) {
      (GradMode.isEnabled() ? withGrad : withoutGrad).incrementAndGet();
      return inner.forward(group);
    }
  }

  private static List<RankResult> run(
      LocalWorld world, Case c, MoeDispatcher dispatcher, DataType type, String label)
      throws Exception {
    List<LocalWorld.Outcome<RankResult>> outcomes =
        world.run((rank, comm, m) -> MoeDispatcherTest.runRank(c, rank, comm, m, dispatcher, type));
    for (int r = 0; r < outcomes.size(); r++) {
      assertNull(outcomes.get(r).error(), label + ": rank " + r + " failed");
    }
    return outcomes.stream().map(LocalWorld.Outcome::value).toList();
  }

  private static void assertSame(RankResult expected, RankResult actual, String label) {
    assertArrayEquals(expected.output(), actual.output(), label + ": output");
    assertArrayEquals(expected.inputGrad(), actual.inputGrad(), label + ": input gradient");
    assertArrayEquals(expected.routerGrad(), actual.routerGrad(), label + ": router gradient");
    assertEquals(expected.expertGrads().size(), actual.expertGrads().size(), label);
    for (int i = 0; i < expected.expertGrads().size(); i++) {
      assertArrayEquals(
          expected.expertGrads().get(i),
          actual.expertGrads().get(i),
          label + ": expert tensor gradient " + i);
    }
    assertEquals(expected.grouped(), actual.grouped(), label + ": grouped experts");
    assertEquals(expected.batched(), actual.batched(), label + ": batched experts");
  }
}
