package ai.llep.models.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.dispatch.DispatchPhases;
import ai.llep.dispatch.ExpertGemm;
import ai.llep.dispatch.ExpertStack;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.experts.SwiGluExperts;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An MoE block run as full activation checkpointing runs a layer (first without autograd inside a
 * checkpoint, whose arrays close at its end, then again in the backward): the routing statistics
 * kept for the step stay readable after the checkpoint, on one rank whose grouped dispatch keeps
 * its counts on the device, and they count every slot once.
 */
class MoeBlockCheckpointTest {
  private static final int EXPERTS = 6;
  private static final int HIDDEN = 8;
  private static final int TOKENS = 20;
  private static final int TOP_K = 2;

  @Test
  void statisticsKeptForARecomputeOutliveTheCheckpointsFirstRun() {
    try (NDManager m = NDManager.newBaseManager();
        GradMode grad = GradMode.enabled()) {
      m.getEngine().setRandomSeed(11);
      SwiGluExperts function = new SwiGluExperts(HIDDEN, 4, false);
      List<NDArray> stack = new ArrayList<>();
      for (Shape shape : function.expertShapes()) {
        NDArray tensor = m.randomNormal(new Shape(EXPERTS).addAll(shape)).mul(0.3);
        tensor.setRequiresGradient(true);
        stack.add(tensor);
      }
      NDArray router = m.randomNormal(new Shape(EXPERTS, HIDDEN));
      router.setRequiresGradient(true);
      MoeDispatcher dispatcher =
          new MoeDispatcher(
              new ExpertPlacement(EXPERTS, 1),
              Planner.create(DispatchMode.EP, PlannerOptions.defaults()),
              function,
              DispatchPhases.NONE,
              0,
              ExpertGemm.GROUPED);
      MoeBlock block =
          new MoeBlock(0, router, null, new ExpertStack(stack), dispatcher, TOP_K, true);
      NDArray x = m.randomNormal(new Shape(TOKENS, HIDDEN));
      x.setRequiresGradient(true);

      DistributedTape tape = DistributedTape.training(new SingleProcessCommunicator());
      RoutingRecord record = new RoutingRecord(m);
      NDArray y =
          tape.checkpoint(
              new NDList(x),
              (t, in) -> block.forward(t, in.head(), record, false).output_TD(),
              "layer");
      tape.backward(y.sum());

      long[] loads = record.stats().localExpertLoad_E();
      assertEquals(EXPERTS, loads.length);
      assertEquals((long) TOKENS * TOP_K, Arrays.stream(loads).sum());
      assertArrayEquals(new long[] {(long) TOKENS * TOP_K}, record.stats().dispatch().loadsAfter());
    }
  }
}
