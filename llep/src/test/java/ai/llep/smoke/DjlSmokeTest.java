package ai.llep.smoke;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

class DjlSmokeTest {
  @Test
  void backwardFromIntermediate() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray x = m.create(new float[] {1, 2, 3});
      x.setRequiresGradient(true);
      try (var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        NDArray y = x.mul(x);
        NDArray g = m.create(new float[] {1, 1, 1});
        JniUtils.backward((PtNDArray) y, (PtNDArray) g, false, false);
      }
      float[] grad = x.getGradient().toFloatArray();
      assertArrayEquals(new float[] {2, 4, 6}, grad, 0f);
      NDArray h = m.create(new Shape(2, 3), DataType.FLOAT16);
      assertEquals(DataType.FLOAT16, h.getDataType());
      System.out.println("engine " + ai.djl.engine.Engine.getInstance().getVersion());
    }
  }
}
