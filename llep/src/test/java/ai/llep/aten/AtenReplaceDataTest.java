package ai.llep.aten;

import static ai.llep.aten.AtenTesting.bf16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.tape.GradMode;
import org.junit.jupiter.api.Test;

/** A float32 leaf turned into bfloat16 in place: same handle, new dtype, still a leaf. */
class AtenReplaceDataTest {
  @Test
  void aLeafTakesBfloat16DataAndGetsBfloat16Gradients() {
    float[] values = {1f, -2.5f, 3.14159265f, 1e-3f};
    float[] weights = {0.5f, 2f, -3f, 1f};
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray leaf = m.create(values, new Shape(2, 2));
      leaf.setRequiresGradient(true);
      long handle = DjlTensors.handle(leaf);
      NDArray holder = leaf;
      Aten.replaceData(leaf, Aten.cast(leaf, DataType.BFLOAT16));

      assertSame(holder, leaf);
      assertEquals(handle, DjlTensors.handle(leaf), "the same tensor object");
      assertEquals(DataType.BFLOAT16, leaf.getDataType(), "DJL's cache follows the new dtype");
      float[] expected = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        expected[i] = bf16(values[i]);
      }
      assertArrayEquals(expected, Aten.cast(leaf, DataType.FLOAT32).toFloatArray());
      assertTrue(leaf.hasGradient(), "still requires a gradient");
      try (GradMode grad = GradMode.enabled()) {
        NDArray w = Aten.cast(m.create(weights, new Shape(2, 2)), DataType.BFLOAT16);
        NDArray loss = Aten.cast(leaf.mul(w).sum(), DataType.FLOAT32);
        AtenTesting.backward(loss, m.ones(new Shape()));
      }
      NDArray gradient = leaf.getGradient();
      assertEquals(DataType.BFLOAT16, Aten.dtype(gradient));
      assertArrayEquals(weights, Aten.cast(gradient, DataType.FLOAT32).toFloatArray());
    }
  }
}
