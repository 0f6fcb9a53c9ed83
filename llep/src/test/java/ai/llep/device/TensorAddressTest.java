package ai.llep.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** A tensor's address on CPU, where it can be read and written through to check it. */
class TensorAddressTest {
  @Test
  void theAddressIsTheTensorsOwnMemory() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray x = m.arange(6f).reshape(2, 3);
      MemorySegment data = MemorySegment.ofAddress(TensorAddress.of(x)).reinterpret(24);
      assertEquals(5f, data.getAtIndex(ValueLayout.JAVA_FLOAT, 5));
      data.setAtIndex(ValueLayout.JAVA_FLOAT, 1, 42f);
      assertArrayEquals(new float[] {0, 42, 2, 3, 4, 5}, x.toFloatArray());
    }
  }

  @Test
  void theLargeTensorPathFindsTheSameAddress() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray x = m.zeros(new Shape(4, 5), DataType.FLOAT16);
      assertEquals(TensorAddress.directAddress(x), TensorAddress.viaFirstElement(x));
      NDArray tail = x.get("1:");
      assertEquals(TensorAddress.directAddress(x) + 5 * 2, TensorAddress.viaFirstElement(tail));
    }
  }

  @Test
  void aTransposedTensorNeedsAContiguousCopy() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray x = m.arange(6f).reshape(2, 3);
      NDArray t = x.transpose();
      assertTrue(TensorAddress.isContiguous(x));
      assertFalse(TensorAddress.isContiguous(t));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> TensorAddress.of(t));
      assertEquals(
          "a tensor handed to native code must be contiguous; got shape (3, 2)", e.getMessage());
      NDArray copy = TensorAddress.contiguous(t);
      assertNotSame(t, copy);
      assertTrue(TensorAddress.isContiguous(copy));
      MemorySegment data = MemorySegment.ofAddress(TensorAddress.of(copy)).reinterpret(24);
      assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, data.toArray(ValueLayout.JAVA_FLOAT));
      assertSame(x, TensorAddress.contiguous(x));
    }
  }

  @Test
  void anEmptyTensorHasNoAddress() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      assertEquals(0, TensorAddress.of(m.zeros(new Shape(0, 3))));
    }
  }
}
