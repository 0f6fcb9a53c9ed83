package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class FiniteValuesTest {
  @Test
  void findsTheFirstArrayHoldingNanOrInfinity() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray fine = manager.create(new float[] {1, -2, 3});
      NDArray nan = manager.create(new float[] {1, Float.NaN});
      NDArray inf = manager.create(new double[] {Double.NEGATIVE_INFINITY});
      NDArray ids = manager.create(new long[] {Long.MAX_VALUE});

      assertEquals(-1, FiniteValues.firstNonFinite(List.of(fine, ids)));
      assertEquals(1, FiniteValues.firstNonFinite(List.of(fine, nan, inf)));
      assertEquals(0, FiniteValues.firstNonFinite(List.of(inf, fine)));
      assertEquals(-1, FiniteValues.firstNonFinite(List.of()));
      assertEquals(1, FiniteValues.count(nan));
    }
  }

  /** float16 sums of large finite values overflow; the exact count clears them. */
  @Test
  void aSumThatOnlyOverflowedIsNotAFinding() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray large = manager.full(new Shape(64), 60000f).toType(DataType.FLOAT16, false);
      assertEquals(-1, FiniteValues.firstNonFinite(List.of(large)));
      FiniteValues.require("large", large);
      NDArray huge = manager.full(new Shape(8), 3e38f);
      assertEquals(-1, FiniteValues.firstNonFinite(List.of(huge)));
    }
  }

  @Test
  void requireNamesTheTensorAndCountsItsValues() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray bad = manager.create(new float[] {Float.NaN, 1, Float.POSITIVE_INFINITY});
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> FiniteValues.require("w.weight", bad));
      assertEquals("tensor w.weight holds 2 non-finite (NaN or infinite) values", e.getMessage());
    }
  }
}
