package ai.llep.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RowRangesTest {
  private static final int WIDTH = 3;

  /**
   * Disjoint ranges in shuffled order, empty ones and gaps included: every view holds its rows, and
   * the gradient of a weighted sum of the views reaches exactly the rows the ranges cover.
   */
  @Property(tries = 40)
  void viewsHoldTheirRowsAndTheirGradientsReachOnlyThoseRows(
      @ForAll @IntRange(min = 0, max = 40) int total, @ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<long[]> ranges = new ArrayList<>();
    long cursor = 0;
    while (cursor < total || ranges.isEmpty()) {
      long gap = random.nextInt(3) == 0 ? random.nextLong(total - cursor + 1) : 0;
      long start = cursor + gap;
      long rows = random.nextLong(total - start + 1);
      ranges.add(new long[] {start, rows});
      cursor = start + rows;
      if (rows == 0 && gap == 0 && random.nextBoolean()) {
        break;
      }
    }
    Collections.shuffle(ranges, new java.util.Random(seed));
    long[] starts = ranges.stream().mapToLong(r -> r[0]).toArray();
    long[] rows = ranges.stream().mapToLong(r -> r[1]).toArray();
    float[] values = new float[total * WIDTH];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextDouble(-1, 1);
    }
    double[] expectedGrad = new double[values.length];
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled()) {
      NDArray x = Gradients.leaf(manager.create(values, new Shape(total, WIDTH)));
      NDArray[] views = RowRanges.of(x, starts, rows);
      assertEquals(ranges.size(), views.length);
      NDArray sum = manager.zeros(new Shape());
      for (int i = 0; i < views.length; i++) {
        assertEquals(new Shape(rows[i], WIDTH), views[i].getShape(), "range " + i);
        float[] expected = new float[(int) rows[i] * WIDTH];
        System.arraycopy(values, (int) starts[i] * WIDTH, expected, 0, expected.length);
        assertArrayEquals(expected, views[i].toFloatArray(), "range " + i);
        float weight = i + 1;
        sum = sum.add(views[i].mul(manager.create(weight)).sum());
        for (int j = 0; j < expected.length; j++) {
          expectedGrad[(int) starts[i] * WIDTH + j] += weight;
        }
      }
      if (views.length > 0 && total > 0) {
        Gradients.backward(sum, manager.ones(new Shape()));
        float[] actual = x.getGradient().toFloatArray();
        for (int i = 0; i < actual.length; i++) {
          assertEquals(expectedGrad[i], actual[i], 1e-6, "gradient of element " + i);
        }
      }
    }
  }

  @Test
  void overlappingOrOutOfBoundsRangesAreRefused() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray x = manager.zeros(new Shape(10, WIDTH));
      IllegalArgumentException overlap =
          assertThrows(
              IllegalArgumentException.class,
              () -> RowRanges.of(x, new long[] {4, 0}, new long[] {3, 5}));
      assertEquals(
          "row range [4, 7) overlaps another or lies outside [0, 10)", overlap.getMessage());
      IllegalArgumentException outside =
          assertThrows(
              IllegalArgumentException.class,
              () -> RowRanges.of(x, new long[] {8}, new long[] {3}));
      assertEquals(
          "row range [8, 11) overlaps another or lies outside [0, 10)", outside.getMessage());
    }
  }
}
