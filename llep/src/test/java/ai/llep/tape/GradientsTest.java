package ai.llep.tape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import org.junit.jupiter.api.Test;

/** The gradients the tape hands across a cut keep the type of the tensor they belong to. */
class GradientsTest {
  @Test
  void anUnusedBfloat16LeafHasBfloat16ZeroGradients() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled()) {
      NDArray leaf = Gradients.leaf(Aten.cast(m.ones(new Shape(2, 3)), DataType.BFLOAT16));
      try (NDArray gradient = Gradients.gradientOf(leaf)) {
        assertEquals(DataType.BFLOAT16, Aten.dtype(gradient), "DJL's own zeros are float32");
        assertEquals(new Shape(2, 3), gradient.getShape());
        assertArrayEquals(new float[6], Aten.cast(gradient, DataType.FLOAT32).toFloatArray());
      }
    }
  }

  @Test
  void aBfloat16CutPassesItsGradientToAFloat32Parameter() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled()) {
      NDArray w = m.create(new float[] {1f, -2f, 3f});
      w.setRequiresGradient(true);
      DistributedTape tape = DistributedTape.training(new ai.llep.comm.SingleProcessCommunicator());
      NDArray cut = tape.cut(Aten.cast(w, DataType.BFLOAT16));
      NDArray loss = Aten.cast(cut.mul(cut).sum(), DataType.FLOAT32);
      tape.backward(loss);
      assertArrayEquals(new float[] {2f, -4f, 6f}, w.getGradient().toFloatArray());
    }
  }
}
