package ai.llep.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import ai.llep.tape.DistributedTape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three layouts of a group compute the same rows; the grouped one handles empty experts. */
class ExpertGroupTest {
  private static final long[] ROWS = {0, 3, 0, 2, 0};

  @Test
  void groupedAndBatchedRowsEqualEachExpertAlone() {
    for (ExpertFunction f :
        List.of(new TestExperts.SwiGlu(4, 6, true), new TestExperts.ClampedGlu(4, 6, 1.702, 0.3))) {
      try (NDManager m = NDManager.newBaseManager("PyTorch")) {
        m.getEngine().setRandomSeed(11);
        List<NDArray> stacked = new ArrayList<>();
        for (Shape s : f.expertShapes()) {
          stacked.add(m.randomNormal(new Shape(ROWS.length).addAll(s)));
        }
        ExpertStack stack = new ExpertStack(stacked);
        NDArray x_GD = m.randomNormal(new Shape(5, 4));
        NDList alone = new NDList();
        alone.add(f.forward(ExpertGroup.single(x_GD.get(new NDIndex("0:3")), stack.expert(1))));
        alone.add(f.forward(ExpertGroup.single(x_GD.get(new NDIndex("3:5")), stack.expert(3))));
        NDArray expected = NDArrays.concat(alone, 0);

        NDArray grouped = f.forward(ExpertGroup.grouped(x_GD, stack, ROWS));
        assertClose(expected, grouped, f + " grouped");

        NDArray x_EMD = m.zeros(new Shape(5, 3, 4));
        x_EMD.set(new NDIndex("1, 0:3"), x_GD.get(new NDIndex("0:3")));
        x_EMD.set(new NDIndex("3, 0:2"), x_GD.get(new NDIndex("3:5")));
        NDArray batched = f.forward(ExpertGroup.batched(x_EMD, stack));
        NDArray real =
            NDArrays.concat(
                new NDList(batched.get(new NDIndex("1, 0:3")), batched.get(new NDIndex("3, 0:2"))),
                0);
        assertClose(expected, real, f + " batched");
      }
    }
  }

  @Test
  void eachGroupedRowKnowsItsExpert() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      ExpertStack stack = new ExpertStack(List.of(m.zeros(new Shape(5, 2, 2))));
      ExpertGroup group = ExpertGroup.grouped(m.zeros(new Shape(5, 2)), stack, ROWS);
      assertArrayEquals(new long[] {1, 1, 1, 3, 3}, group.expertOfRow().toLongArray());
      assertArrayEquals(new int[] {0, 3, 3, 5, 5}, group.offsets().toIntArray());
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ExpertGroup.grouped(m.zeros(new Shape(4, 2)), stack, ROWS));
      assertEquals(
          "expected 5 grouped rows [G, D] of 5 experts, got (4, 2) and 5 row counts",
          e.getMessage());
    }
  }

  @Test
  void aStackThatDoesNotMatchTheFunctionIsRefused() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      TestExperts.SwiGlu f = new TestExperts.SwiGlu(4, 6, false);
      MoeDispatcher dispatcher =
          new MoeDispatcher(
              new ExpertPlacement(2, 1),
              Planner.create(ai.llep.plan.DispatchMode.EP, PlannerOptions.defaults()),
              f);
      ExpertStack wrong =
          new ExpertStack(
              List.of(
                  m.zeros(new Shape(2, 6, 4)),
                  m.zeros(new Shape(2, 6, 4)),
                  m.zeros(new Shape(2, 6, 4))));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  dispatcher.forward(
                      DistributedTape.inference(new SingleProcessCommunicator()),
                      m.zeros(new Shape(1, 4)),
                      new long[] {0},
                      m.ones(new Shape(1, 1)),
                      wrong));
      assertEquals(
          "rank 0: the stacked experts are [(2, 6, 4), (2, 6, 4), (2, 6, 4)], the expert function"
              + " declares per-expert tensors [(6, 4), (6, 4), (4, 6)]",
          e.getMessage());
    }
  }

  private static void assertClose(NDArray expected, NDArray actual, String what) {
    assertEquals(expected.getShape(), actual.getShape(), what);
    float[] a = expected.toFloatArray();
    float[] b = actual.toFloatArray();
    for (int i = 0; i < a.length; i++) {
      assertTrue(Math.abs(a[i] - b[i]) <= 1e-5 * Math.max(1, Math.abs(a[i])), what + " at " + i);
    }
  }
}
