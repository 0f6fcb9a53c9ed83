package ai.llep.tape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * CPU 0-d scalar operands give exactly what DJL's {@code op(Number)} (a scalar on the tensor's own
 * manager) gives: the same dtype and the same bits, for every float dtype, values and gradients.
 */
class ScalarsTest {
  private static final double[] VALUES = {1.0, -3.5, 0.1, 1e-6, 7.0, -7.0, 123.456, 0.0, 6.99};
  private static final List<DataType> FLOATS =
      List.of(DataType.FLOAT32, DataType.FLOAT64, DataType.BFLOAT16);

  @Test
  void scalarsAreCpuZeroDimTensorsWithDjlsDtypeForTheNumbersClass() {
    assertScalar(Scalars.constant(0.5), DataType.FLOAT64, 0.5);
    assertScalar(Scalars.constant(0.5f), DataType.FLOAT32, 0.5);
    assertScalar(Scalars.constant(3), DataType.INT32, 3);
    assertScalar(Scalars.constant(3L), DataType.INT64, 3);
    assertScalar(Scalars.constant(0.1, DataType.BFLOAT16), DataType.BFLOAT16, 0.10009765625);
    try (NDArray fresh = Scalars.fresh(5L)) {
      assertScalar(fresh, DataType.INT64, 5);
    }
    assertThrows(IllegalArgumentException.class, () -> Scalars.constant(new BigDecimal("1")));
  }

  @Test
  void constantsAreCachedPerValueAndDtypeAndFreshOnesAreNot() {
    assertSame(Scalars.constant(1e-5), Scalars.constant(1e-5));
    assertNotSame(Scalars.constant(1), Scalars.constant(1L), "int32 and int64 are two scalars");
    assertNotSame(Scalars.constant(0.0), Scalars.constant(-0.0), "-0.0 keeps its sign");
    assertEquals(DataType.INT64, Scalars.constant(1L).getDataType());
    try (NDArray fresh = Scalars.fresh(1e-5)) {
      assertNotSame(Scalars.constant(1e-5), fresh);
    }
  }

  @Test
  void aConstantFirstMadeInsideAnNdScopeOutlivesIt() {
    double value = 0.123456789;
    try (NDScope scope = new NDScope()) {
      assertEquals(value, Scalars.constant(value).getDouble(), 0.0);
    }
    assertEquals(value, Scalars.constant(value).getDouble(), 0.0, "the scope closed the constant");
  }

  @Test
  void numberOperandsMatchDjlsBitwiseInEveryFloatDtype() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      for (DataType type : FLOATS) {
        NDArray x = Aten.cast(m.create(VALUES), type);
        String in = " on " + type;
        assertSameTensor(x.add(1e-6), Scalars.add(x, 1e-6), "add(double)" + in);
        assertSameTensor(x.add(1), Scalars.add(x, 1), "add(int)" + in);
        assertSameTensor(x.add(0.3f), Scalars.add(x, 0.3f), "add(float)" + in);
        assertSameTensor(x.gte(0.1), Scalars.gte(x, 0.1), "gte(double)" + in);
        assertSameTensor(
            x.duplicate().muli(0.3), Scalars.muli(x.duplicate(), 0.3), "muli(double)" + in);
        assertSameTensor(x.duplicate().muli(0), Scalars.muli(x.duplicate(), 0), "muli(0)" + in);
        // A raw float64 CPU constant next to bfloat16 keeps DJL's bits on a CPU; on CUDA DJL's
        // device scalar is rounded to bfloat16 first, which a constant of the tensor's dtype is.
        NDArray constant =
            x.getDevice().isGpu() ? Scalars.constant(1.702, type) : Scalars.constant(1.702);
        assertSameTensor(x.mul(constant), x.mul(1.702), "mul(constant)" + in);
      }
    }
  }

  @Test
  void mulAndDivMatchAConstantOfTheTensorsDtypeOnItsOwnManager() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      for (DataType type : FLOATS) {
        NDArray x = Aten.cast(m.create(VALUES), type);
        NDArray own = Aten.cast(m.create(0.125 / 3), type);
        assertSameTensor(x.mul(own), Scalars.mul(x, 0.125 / 3), "mul on " + type);
        assertSameTensor(x.div(own), Scalars.div(x, 0.125 / 3), "div on " + type);
        assertSameTensor(x.div(own), Scalars.divOnce(x, 0.125 / 3), "divOnce on " + type);
      }
    }
  }

  @Test
  void clipMatchesDjlsClipInValuesAndGradientsBoundsIncluded() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled()) {
      for (DataType type : FLOATS) {
        for (double[] bounds : new double[][] {{-7.0, 7.0}, {Double.NEGATIVE_INFINITY, 0.1}}) {
          String at = " on " + type + " in [" + bounds[0] + ", " + bounds[1] + "]";
          NDArray[] djl = clipped(m, type, x -> x.clip(bounds[0], bounds[1]));
          NDArray[] ours = clipped(m, type, x -> Scalars.clip(x, bounds[0], bounds[1]));
          assertSameTensor(djl[0], ours[0], "values" + at);
          assertSameTensor(djl[1], ours[1], "gradients" + at);
        }
      }
    }
  }

  @Test
  void theBackwardReadsAScalarClosedAfterTheForward() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled()) {
      NDArray x = m.create(new float[] {1f, 2f, 3f});
      x.setRequiresGradient(true);
      NDArray y = Scalars.divOnce(x, 4);
      System.gc();
      Gradients.backward(y.sum(), m.ones(new Shape()));
      assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, x.getGradient().toFloatArray());
    }
  }

  /** The clipped leaf and its gradient under a weighted sum (every element's gradient differs). */
  private static NDArray[] clipped(NDManager m, DataType type, Function<NDArray, NDArray> clip) {
    NDArray x = Aten.cast(m.create(VALUES), type);
    x.setRequiresGradient(true);
    NDArray out = clip.apply(x);
    NDArray weights = Aten.cast(m.arange(1f, VALUES.length + 1f), type);
    NDArray loss = Aten.cast(out.mul(weights).sum(), DataType.FLOAT64);
    Gradients.backward(loss, m.ones(new Shape(), DataType.FLOAT64));
    return new NDArray[] {out, x.getGradient()};
  }

  private static void assertScalar(NDArray scalar, DataType type, double value) {
    assertEquals(Device.cpu(), scalar.getDevice(), "a scalar lives on the CPU");
    assertEquals(new Shape(), scalar.getShape(), "a scalar is 0-d");
    assertEquals(type, Aten.dtype(scalar));
    assertEquals(value, Aten.cast(scalar, DataType.FLOAT64).getDouble(), 0.0);
  }

  private static void assertSameTensor(NDArray expected, NDArray actual, String what) {
    assertEquals(Aten.dtype(expected), Aten.dtype(actual), what + ": dtype");
    assertEquals(expected.getShape(), actual.getShape(), what + ": shape");
    assertEquals(expected.getDevice(), actual.getDevice(), what + ": device");
    if (Aten.dtype(expected) == DataType.BOOLEAN) {
      assertArrayEquals(expected.toBooleanArray(), actual.toBooleanArray(), what);
      return;
    }
    double[] e = Aten.cast(expected, DataType.FLOAT64).toDoubleArray();
    double[] a = Aten.cast(actual, DataType.FLOAT64).toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      assertTrue(
          Double.doubleToLongBits(e[i]) == Double.doubleToLongBits(a[i]),
          what + ": element " + i + " is " + a[i] + ", DJL's scalar gives " + e[i]);
    }
  }
}
