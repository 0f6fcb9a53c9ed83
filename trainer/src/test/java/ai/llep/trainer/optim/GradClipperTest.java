package ai.llep.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.trainer.optim.GradClipper.GroupNorm;
import ai.llep.trainer.optim.GradClipper.Placement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GradClipperTest {
  @Test
  void factorScalesTheNormDownToTheMaximum() {
    assertEquals(1.0 / (5 + 1e-6), GradClipper.clipFactor(25, 1.0), 0);
    assertEquals(2.0 / (5 + 1e-6), GradClipper.clipFactor(25, 2.0), 0);
  }

  @Test
  void factorIsOneWhenTheNormIsWithinTheMaximum() {
    assertEquals(1.0, GradClipper.clipFactor(0.25, 1.0), 0);
    assertEquals(1.0, GradClipper.clipFactor(0, 1.0), 0);
    assertEquals(1.0, GradClipper.clipFactor(1e300, Double.POSITIVE_INFINITY), 0);
  }

  @Test
  void nonFiniteNormsAndMaximaAreRejected() {
    assertEquals(
        "global gradient norm is not finite (squared norm NaN)",
        assertThrows(IllegalArgumentException.class, () -> GradClipper.clipFactor(Double.NaN, 1))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> GradClipper.clipFactor(Double.POSITIVE_INFINITY, 1));
    assertEquals(
        "max gradient norm must be > 0, got 0.0",
        assertThrows(IllegalArgumentException.class, () -> GradClipper.clipFactor(1, 0))
            .getMessage());
  }

  @Test
  void replicatedGroupsCountOnceAndShardedGroupsSumAcrossRanks() {
    AtomicInteger calls = new AtomicInteger();
    // Two ranks whose expert shards have the same squared norm: the collective doubles it.
    double total =
        GradClipper.globalSquaredNorm(
            List.of(
                new GroupNorm("dense", 3, Placement.REPLICATED),
                new GroupNorm("experts.0", 1.5, Placement.SHARDED),
                new GroupNorm("norms", 1, Placement.REPLICATED),
                new GroupNorm("experts.1", 2.5, Placement.SHARDED)),
            sharded -> {
              calls.incrementAndGet();
              return 2 * sharded;
            });
    assertEquals(4 + 8, total, 0);
    assertEquals(1, calls.get());
  }

  @Test
  void theCollectiveRunsEvenWithoutShardedGroups() {
    AtomicInteger calls = new AtomicInteger();
    double total =
        GradClipper.globalSquaredNorm(
            List.of(new GroupNorm("dense", 3, Placement.REPLICATED)),
            sharded -> {
              calls.incrementAndGet();
              return sharded + 6;
            });
    assertEquals(9, total, 0);
    assertEquals(1, calls.get());
  }

  @Test
  void squaredNormAndApplyOnArrays() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray a = manager.create(new float[] {3, 4});
      NDArray b = manager.create(new float[] {1, 2}, new Shape(1, 2));
      List<NDArray> gradients = List.of(a, b);
      double squared = GradClipper.squaredNorm(gradients);
      // Each norm is a float32 (5 and sqrt(5)), squared in float64.
      assertEquals(30, squared, 30 * 1e-7);
      assertEquals(0, GradClipper.squaredNorm(List.of()), 0);

      double factor = GradClipper.clipFactor(squared, 1);
      GradClipper.apply(gradients, factor);
      assertEquals(1.0, Math.sqrt(GradClipper.squaredNorm(gradients)), 1e-6);
      float f = (float) factor;
      assertArrayEquals(new float[] {3 * f, 4 * f}, a.toFloatArray(), 1e-7f);

      GradClipper.apply(gradients, 1);
      assertArrayEquals(new float[] {3 * f, 4 * f}, a.toFloatArray(), 1e-7f);
    }
  }

  @Test
  void aSixteenBitGradientsSquaresAreSummedWide() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      // 300^2 * 4 = 360,000: above float16's range, and not a bfloat16 value (8 bits: 360,448).
      NDArray big = manager.create(new float[] {300, 300, 300, 300});
      for (DataType type : new DataType[] {DataType.FLOAT16, DataType.BFLOAT16}) {
        NDArray narrow = Aten.cast(big, type);
        assertEquals(360_000, GradClipper.squaredNorm(List.of(narrow)), 0, type.toString());
      }
    }
  }
}
