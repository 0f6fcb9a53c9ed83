package ai.llep.tape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import org.junit.jupiter.api.Test;

class GradientsTest {
  @Test
  void anUnusedBfloat16LeafHasBfloat16ZerosForGradient() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray leaf = Aten.cast(m.ones(new Shape(2, 3)), DataType.BFLOAT16);
      leaf.setRequiresGradient(true);
      try (NDArray djl = leaf.getGradient()) {
        assertEquals(DataType.FLOAT32, Aten.dtype(djl), "DJL's own zeros");
      }
      NDArray gradient = Gradients.gradientOf(leaf);
      assertEquals(DataType.BFLOAT16, Aten.dtype(gradient));
      assertEquals(new Shape(2, 3), gradient.getShape());
      assertArrayEquals(new float[6], Aten.cast(gradient, DataType.FLOAT32).toFloatArray());
    }
  }
}
