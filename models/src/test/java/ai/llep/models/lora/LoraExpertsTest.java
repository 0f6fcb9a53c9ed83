package ai.llep.models.lora;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.llep.dispatch.ExpertGroup;
import ai.llep.dispatch.ExpertStack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The LoRA expert in every layout the dispatcher runs it in (one expert, a padded batch, one
 * grouped call) computes what the adapted weights compute: {@code x (W + scale * B A)^T}, with gate
 * and up taking their rows of the fused gate_up adapter, as PEFT merges them.
 */
class LoraExpertsTest {
  private static final int D = 6;
  private static final int F = 5;
  private static final int R = 2;
  private static final double SCALE = 1.5;

  @Test
  void everyLayoutComputesTheMergedWeights() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(3);
      int experts = 3;
      long[] rows = {4, 0, 3};
      LoraSwiGluExperts function = new LoraSwiGluExperts(D, F, R, SCALE, true, true);
      assertTrue(function.frozen(2) && !function.frozen(3), "the base is frozen, adapters not");
      List<NDArray> stacked = new ArrayList<>();
      for (Shape shape : function.expertShapes()) {
        stacked.add(m.randomNormal(0, 0.5f, new Shape(experts).addAll(shape), DataType.FLOAT32));
      }
      ExpertStack stack = new ExpertStack(stacked);
      NDArray x_GD = m.randomNormal(new Shape(7, D));
      NDArray grouped = function.forward(ExpertGroup.grouped(x_GD, stack, rows));
      NDList singles = new NDList();
      NDList merged = new NDList();
      long start = 0;
      for (int e = 0; e < experts; e++) {
        NDArray x = x_GD.get(start + ":" + (start + rows[e]));
        start += rows[e];
        singles.add(function.forward(ExpertGroup.single(x, stack.expert(e))));
        merged.add(mergedExpert(x, stack.expert(e)));
      }
      NDArray single = NDArrays.concat(singles, 0);
      NDArray reference = NDArrays.concat(merged, 0);
      assertClose(reference, single, "one expert at a time");
      assertClose(reference, grouped, "grouped");
      NDArray x_EMD = m.randomNormal(new Shape(experts, 4, D));
      NDArray batched = function.forward(ExpertGroup.batched(x_EMD, stack));
      for (int e = 0; e < experts; e++) {
        assertClose(
            mergedExpert(x_EMD.get(e), stack.expert(e)), batched.get(e), "batched expert " + e);
      }
    }
  }

  /** SwiGLU with W + scale * B A on each projection. */
  private static NDArray mergedExpert(NDArray x, List<NDArray> t) {
    NDArray gateUp = t.get(4).matMul(t.get(3)).mul(SCALE);
    NDArray gate = t.get(0).add(gateUp.get(":" + F));
    NDArray up = t.get(1).add(gateUp.get(F + ":"));
    NDArray down = t.get(2).add(t.get(6).matMul(t.get(5)).mul(SCALE));
    NDArray g = x.matMul(gate.transpose());
    NDArray h = g.mul(Activation.sigmoid(g)).mul(x.matMul(up.transpose()));
    return h.matMul(down.transpose());
  }

  private static void assertClose(NDArray expected, NDArray actual, String what) {
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    assertFalse(e.length != a.length, what + ": shape");
    for (int i = 0; i < e.length; i++) {
      assertTrue(Math.abs(e[i] - a[i]) <= 1e-5 * (1 + Math.abs(e[i])), what + " at " + i);
    }
  }
}
