package ai.llep.smoke;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

class DjlProbeTest {
  @Test
  void probe() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      JniUtils.setGradMode(true);
      NDArray a = m.create(new float[] {1, 2, 3});
      a.setRequiresGradient(true);
      NDArray unused = m.create(new float[] {1, 2});
      unused.setRequiresGradient(true);
      NDArray y = a.mul(a).sum();
      JniUtils.backward((PtNDArray) y, (PtNDArray) m.create(1f), true, false);
      try { NDArray g = unused.getGradient(); System.out.println("unused grad: " + g + " null? " + (g==null)); } catch (Exception e) { System.out.println("unused grad throws " + e); }
      // backward on a leaf with gradient
      NDArray p = m.create(new float[] {5, 5});
      p.setRequiresGradient(true);
      JniUtils.backward((PtNDArray) p, (PtNDArray) m.create(new float[] {1, 2}), false, false);
      System.out.println("leaf grad " + java.util.Arrays.toString(p.getGradient().toFloatArray()));
      JniUtils.backward((PtNDArray) p, (PtNDArray) m.create(new float[] {1, 2}), false, false);
      System.out.println("leaf grad2 " + java.util.Arrays.toString(p.getGradient().toFloatArray()));
      // zero-size
      NDArray z = m.zeros(new Shape(0, 3));
      z.setRequiresGradient(true);
      NDArray zz = z.mul(2);
      JniUtils.backward((PtNDArray) zz, (PtNDArray) m.zeros(new Shape(0, 3)), false, false);
      System.out.println("zero-size ok; grad " + z.getGradient().getShape());
      // gather by index differentiable
      NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(3, 2));
      x.setRequiresGradient(true);
      NDArray idx = m.create(new long[] {2, 0, 2});
      NDArray g2 = x.get(idx);
      JniUtils.backward((PtNDArray) g2, (PtNDArray) m.ones(new Shape(3, 2)), false, false);
      System.out.println("gather grad " + java.util.Arrays.toString(x.getGradient().toFloatArray()));
      System.out.println("isGradMode " + JniUtils.isGradMode());
      NDArray det = x.stopGradient();
      System.out.println("stopGradient requiresGrad " + JniUtils.requiresGrad((PtNDArray) det) + " shares? ");
      NDArray mm = m.randomNormal(new Shape(4, 3)).matMul(m.randomNormal(new Shape(3, 0)));
      System.out.println("matmul to zero cols " + mm.getShape());
      NDArray e = m.zeros(new Shape(0, 3)).matMul(m.randomNormal(new Shape(3, 5)));
      System.out.println("empty matmul " + e.getShape());
    }
  }
}
