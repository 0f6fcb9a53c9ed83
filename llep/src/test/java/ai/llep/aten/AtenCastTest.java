package ai.llep.aten;

import static ai.llep.aten.AtenTesting.assertClose;
import static ai.llep.aten.AtenTesting.bf16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.device.TensorAddress;
import ai.llep.tape.GradMode;
import ai.llep.tape.Scalars;
import org.junit.jupiter.api.Test;

/** Casts, bfloat16 tensors DJL can hold, and their dtype as the rest of the code sees it. */
class AtenCastTest {
  private static final float[] VALUES = {1f, -2.5f, 3.14159265f, 1e-3f, 65504.7f, -0.1f};

  @Test
  void float32ToBfloat16AndBackRoundsToNearestEven() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray x = m.create(VALUES, new Shape(2, 3));
      NDArray half = Aten.cast(x, DataType.BFLOAT16);
      assertEquals(DataType.BFLOAT16, half.getDataType());
      assertEquals(new Shape(2, 3), half.getShape());
      NDArray back = Aten.cast(half, DataType.FLOAT32);
      assertEquals(DataType.FLOAT32, back.getDataType());
      float[] expected = new float[VALUES.length];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = bf16(VALUES[i]);
      }
      assertArrayEquals(expected, back.toFloatArray());
      assertNotEquals(VALUES[2], back.toFloatArray()[2]);
    }
  }

  @Test
  void djlResultsOfBfloat16MathReportTheirTypeOnceAsked() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray half = Aten.cast(m.create(VALUES), DataType.BFLOAT16);
      NDArray sum = half.add(half);
      assertEquals(DataType.UNKNOWN, sum.getDataType(), "DJL's own answer");
      assertEquals(DataType.BFLOAT16, Aten.dtype(sum));
      assertEquals(DataType.BFLOAT16, sum.getDataType(), "the cache now agrees");
      assertEquals(2, sum.getDataType().getNumOfBytes());
      assertEquals(DataType.FLOAT32, Aten.dtype(m.create(1f)));
    }
  }

  @Test
  void scalarConstantsWorkOnBfloat16ThatDjlCalledUnknown() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray half = Aten.cast(m.create(new float[] {1f, -3f}), DataType.BFLOAT16);
      NDArray product = Scalars.mul(half.add(half), 0.25);
      assertArrayEquals(
          new float[] {0.5f, -1.5f}, Aten.cast(product, DataType.FLOAT32).toFloatArray());
      assertEquals(DataType.BFLOAT16, Aten.dtype(product));
    }
  }

  @Test
  void castsAreDifferentiableBothWays() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled()) {
      NDArray x = m.create(VALUES);
      x.setRequiresGradient(true);
      NDArray w = m.create(new float[] {0.5f, 2f, -3f, 1f, 0.25f, -1f});
      NDArray viaBf16 = Aten.cast(Aten.cast(x, DataType.BFLOAT16), DataType.FLOAT32);
      NDArray loss = viaBf16.mul(w).sum();
      AtenTesting.backward(loss, m.ones(new Shape()));
      assertArrayEquals(w.toFloatArray(), AtenTesting.gradient(x), "d(sum(w * x))/dx = w");
    }
  }

  @Test
  void zerosAndEmptyLikeMakeBfloat16WithoutDjlCreatingIt() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray zeros = Aten.zeros(m, new Shape(3, 4), DataType.BFLOAT16, Device.cpu());
      assertEquals(DataType.BFLOAT16, zeros.getDataType());
      assertEquals(new Shape(3, 4), zeros.getShape());
      assertArrayEquals(new float[12], Aten.cast(zeros, DataType.FLOAT32).toFloatArray());
      assertTrue(TensorAddress.isContiguous(zeros), "a real tensor, not a broadcast view");
      NDArray like = Aten.zerosLike(m.ones(new Shape(2, 5)), DataType.BFLOAT16);
      assertEquals(new Shape(2, 5), like.getShape());
      assertEquals(DataType.BFLOAT16, like.getDataType());
      NDArray empty = Aten.emptyLike(like, DataType.FLOAT16);
      assertEquals(DataType.FLOAT16, empty.getDataType());
      assertEquals(new Shape(2, 5), empty.getShape());
    }
  }

  @Test
  void emptyMakesBfloat16OfAShape() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray empty = Aten.empty(m, new Shape(2, 0, 3), DataType.BFLOAT16, Device.cpu());
      assertEquals(DataType.BFLOAT16, empty.getDataType());
      assertEquals(new Shape(2, 0, 3), empty.getShape());
      NDArray scalar = Aten.empty(m, new Shape(), DataType.BFLOAT16, Device.cpu());
      assertEquals(new Shape(), scalar.getShape());
    }
  }

  @Test
  void reinterpretSeesTheSameBitsAsAnotherTypeAndBack() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray half = Aten.cast(m.create(VALUES), DataType.BFLOAT16);
      NDArray bits = Aten.reinterpret(half, DataType.FLOAT16);
      assertEquals(DataType.FLOAT16, bits.getDataType());
      short[] expected = new short[VALUES.length];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = (short) (Float.floatToRawIntBits(bf16(VALUES[i])) >>> 16);
      }
      java.nio.ShortBuffer raw = bits.toByteBuffer().asShortBuffer();
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], raw.get(i), "bits of element " + i);
      }
      NDArray again = Aten.reinterpret(bits.duplicate(), DataType.BFLOAT16);
      assertArrayEquals(
          Aten.cast(half, DataType.FLOAT32).toFloatArray(),
          Aten.cast(again, DataType.FLOAT32).toFloatArray());
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> Aten.reinterpret(half, DataType.FLOAT32));
      assertEquals(
          "cannot see bfloat16 elements as float32: the element sizes differ", e.getMessage());
    }
  }

  @Test
  void toDeviceCopiesAndKeepsTheDtype() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray half = Aten.cast(m.create(VALUES), DataType.BFLOAT16);
      NDArray copy = Aten.toDevice(half, Device.cpu());
      assertEquals(DataType.BFLOAT16, copy.getDataType());
      assertNotEquals(DjlTensors.handle(half), DjlTensors.handle(copy));
      assertClose(
          Aten.cast(half, DataType.FLOAT32).toFloatArray(),
          Aten.cast(copy, DataType.FLOAT32).toFloatArray(),
          0,
          "copy");
    }
  }

  @Test
  void resultsBelongToTheFirstTensorsManager() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray kept;
      NDArray result;
      try (NDManager step = m.newSubManager()) {
        kept = m.create(VALUES);
        NDArray x = step.create(VALUES);
        result = Aten.cast(x, DataType.BFLOAT16);
        assertTrue(result.getManager() == step);
      }
      assertTrue(result.isReleased(), "closed with the manager it was attached to");
      assertTrue(!kept.isReleased());
    }
  }
}
