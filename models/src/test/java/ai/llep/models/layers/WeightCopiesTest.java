package ai.llep.models.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightCopiesTest {
  @Test
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void eachUseGetsItsOwnGradientLatestFirstAndTheParameterNone() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray w = m.create(new float[] {1, 2}, new Shape(2));
      NDArray other = m.create(new float[] {3, 4}, new Shape(2));
      w.setRequiresGradient(true);
      other.setRequiresGradient(true);
      List<WeightCopies.Received> received;
      try (WeightCopies copies = WeightCopies.open(List.of(other, w), m)) {
        try (NDManager pass = m.newSubManager();
            GradMode on = GradMode.enabled()) {
          NDArray x = pass.create(new float[] {5, 7});
          NDArray first = StepView.of(w, pass).mul(x).sum();
          NDArray half = Aten.cast(x, DataType.BFLOAT16);
          NDArray second = Aten.cast(StepView.like(w, half).mul(half).sum(), DataType.FLOAT32);
          Gradients.backward(first.add(second.mul(3)), pass.ones(new Shape()));
        }
        received = copies.take();
        assertEquals(2, received.size(), "one gradient per use; other was not used");
        assertEquals(1, received.get(0).parameter(), "w is the second tracked parameter");
        assertTrue(received.get(0).use() > received.get(1).use(), "latest use first");
        assertEquals(DataType.BFLOAT16, Aten.dtype(received.get(0).gradient()));
        try (NDArray wide = Aten.cast(received.get(0).gradient(), DataType.FLOAT32)) {
          assertArrayEquals(new float[] {15, 21}, wide.toFloatArray());
        }
        assertArrayEquals(new float[] {5, 7}, received.get(1).gradient().toFloatArray());
        received.forEach(r -> r.gradient().close());
      }
      assertNull(Gradients.held(w), "nothing reaches the parameter");
      assertNull(Gradients.held(other));
    }
  }

  @Test
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void aCopyWhoseScopeClosedBeforeTheBackwardStillDeliversItsGradient() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray w = m.create(new float[] {1, 2}, new Shape(2));
      w.setRequiresGradient(true);
      try (WeightCopies copies = WeightCopies.open(List.of(w), m);
          NDManager pass = m.newSubManager();
          GradMode on = GradMode.enabled()) {
        NDArray y;
        try (NDManager early = pass.newSubManager()) {
          y = StepView.of(w, early).mul(2);
          y.attach(pass);
        }
        Gradients.backward(y.sum(), pass.ones(new Shape()));
        List<WeightCopies.Received> received = copies.take();
        assertEquals(1, received.size());
        assertArrayEquals(new float[] {2, 2}, received.getFirst().gradient().toFloatArray());
        received.getFirst().gradient().close();
      }
    }
  }

  @Test
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void withoutAutogradOrTrackingAUseIsThePlainView() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray w = m.create(new float[] {1, 2}, new Shape(2));
      NDArray untracked = m.create(new float[] {3}, new Shape(1));
      w.setRequiresGradient(true);
      untracked.setRequiresGradient(true);
      try (WeightCopies copies = WeightCopies.open(List.of(w), m);
          NDManager pass = m.newSubManager()) {
        try (GradMode off = GradMode.disabled()) {
          StepView.of(w, pass).mul(2);
        }
        try (GradMode on = GradMode.enabled()) {
          Gradients.backward(StepView.of(untracked, pass).sum(), pass.ones(new Shape()));
        }
        assertEquals(List.of(), copies.take());
        try (NDArray g = Gradients.held(untracked)) {
          assertArrayEquals(new float[] {1}, g.toFloatArray(), "an untracked array as before");
        }
      }
    }
  }

  @Test
  void onlyOneOpenPerThread() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        WeightCopies copies = WeightCopies.open(List.of(), m)) {
      assertThrows(IllegalStateException.class, () -> WeightCopies.open(List.of(), m));
    }
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        WeightCopies again = WeightCopies.open(List.of(), m)) {
      assertEquals(List.of(), again.take(), "closing the first one made room");
    }
  }
}
