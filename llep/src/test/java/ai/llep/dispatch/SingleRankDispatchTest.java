package ai.llep.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * One rank's grouped dispatch, which never reads its routing on the host: the statistics stay
 * pending until asked for and are then the true counts, the outputs are those of the planned path
 * (run here through batched GEMMs, one per expert), and statistics read too late say so.
 */
class SingleRankDispatchTest {
  @Test
  void countsStayOnTheDeviceUntilReadAndOutputsMatchThePlannedPath() {
    for (boolean bias : new boolean[] {false, true}) {
      MoeDispatcherTest.Case c =
          new MoeDispatcherTest.Case(
              new SplittableRandom(7).nextLong(),
              MoeDispatcherTest.Kind.SWIGLU,
              6,
              2,
              8,
              8,
              new int[] {30},
              0.7,
              1,
              bias,
              MoeDispatcherTest.Case.LIMIT);
      try (NDManager m = NDManager.newBaseManager()) {
        DispatchResult grouped = run(c, m, ExpertGemm.GROUPED);
        DispatchResult planned = run(c, m, ExpertGemm.BATCHED);

        assertFalse(grouped.pending().known(), "the counts were read during the forward");
        long[] expected = new long[c.experts()];
        for (long e : c.choices(0)) {
          expected[(int) e]++;
        }
        DispatchStats stats = grouped.stats();
        assertTrue(grouped.pending().known());
        assertArrayEquals(expected, stats.localExpertLoads());
        assertEquals(
            (int) java.util.Arrays.stream(expected).filter(n -> n > 0).count(),
            stats.groupedExperts());
        assertArrayEquals(new long[] {30L * 2}, stats.loadsAfter());
        assertEquals(0, stats.spilledSlots());
        assertArrayEquals(
            planned.output_TD().toFloatArray(), grouped.output_TD().toFloatArray(), 1e-6f);
      }
    }
  }

  @Test
  void statisticsReadAfterTheirArraysClosedSaySo() {
    MoeDispatcherTest.Case c =
        MoeDispatcherTest.Case.random(new SplittableRandom(3), 1, 4, MoeDispatcherTest.Kind.SWIGLU)
            .withSmallColdExperts();
    DispatchResult result;
    try (NDManager m = NDManager.newBaseManager()) {
      result = run(c, m, ExpertGemm.GROUPED);
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, result::stats);
    assertTrue(e.getMessage().contains("after the arrays of their forward pass were closed"));
  }

  @Test
  void statisticsOfACheckpointsFirstRunOutliveItWhenRetained() {
    MoeDispatcherTest.Case c =
        MoeDispatcherTest.Case.random(new SplittableRandom(5), 1, 4, MoeDispatcherTest.Kind.SWIGLU)
            .withSmallColdExperts();
    try (NDManager m = NDManager.newBaseManager();
        GradMode grad = GradMode.enabled()) {
      NDArray x = c.tokens(m, 0);
      x.setRequiresGradient(true);
      DistributedTape tape = DistributedTape.training(new SingleProcessCommunicator());
      PendingStats[] kept = new PendingStats[1];
      MoeDispatcher dispatcher = c.dispatcher(1, DispatchMode.EP, ExpertGemm.GROUPED, 0);
      // As full activation checkpointing runs a layer: its first run's arrays close at its end.
      tape.checkpoint(
          new NDList(x),
          (t, in) -> {
            DispatchResult r = forward(dispatcher, c, t, in.head(), m);
            if (kept[0] == null) {
              r.pending().retainIn(m);
              kept[0] = r.pending();
            }
            return r.output_TD();
          },
          "layer");
      long[] expected = new long[c.experts()];
      for (long e : c.choices(0)) {
        expected[(int) e]++;
      }
      assertArrayEquals(expected, kept[0].get().localExpertLoads());
    }
  }

  private static DispatchResult run(MoeDispatcherTest.Case c, NDManager m, ExpertGemm gemm) {
    return forward(
        c.dispatcher(1, DispatchMode.EP, gemm, 0),
        c,
        DistributedTape.inference(new SingleProcessCommunicator()),
        c.tokens(m, 0),
        m);
  }

  private static DispatchResult forward(
      MoeDispatcher dispatcher,
      MoeDispatcherTest.Case c,
      DistributedTape tape,
      NDArray x,
      NDManager m) {
    NDArray weights =
        x.matMul(c.router(m).transpose())
            .softmax(1)
            .gather(m.create(c.choices(0), new Shape(c.tokens()[0], c.topK())), 1);
    return dispatcher.forward(
        tape,
        x,
        x.getManager().create(c.choices(0)),
        weights,
        new ExpertStack(c.stack(m, 0, c.experts())));
  }
}
