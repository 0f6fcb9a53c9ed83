package ai.llep.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticRoutingTest {

  @Test
  void hotColdSlotsFollowTheGenerator() {
    // 10 tokens, 50% hot: tokens 0..4 hot on experts 0, 1 (H = 2, K = 3); cold experts 2..5.
    int[] slots = SyntheticRouting.hotColdSlots(6, 10, 3, 50, 2);
    assertArrayEquals(new int[] {0, 1, 0}, Arrays.copyOfRange(slots, 0, 3));
    // Cold token 5: experts 2 + (5 + k) mod 4 = 3, 4, 5.
    assertArrayEquals(new int[] {3, 4, 5}, Arrays.copyOfRange(slots, 15, 18));
    // Cold token 7: 2 + (7 + k) mod 4 = 5, 2, 3.
    assertArrayEquals(new int[] {5, 2, 3}, Arrays.copyOfRange(slots, 21, 24));
  }

  @Test
  void hotTokensAreFloored() {
    long[][] counts = SyntheticRouting.hotColdCounts(2, 128, 32768, 4, 95, 4);
    assertEquals(31129, counts[0][0]);
    assertArrayEquals(counts[0], counts[1]);
    assertEquals(32768 * 4, Fixtures.sum(counts[0]));
  }

  @Test
  void zipfIsDeterministicSkewedAndPerRank() {
    long[][] a = SyntheticRouting.zipfCounts(4, 64, 2048, 8, 1.2, 7);
    long[][] b = SyntheticRouting.zipfCounts(4, 64, 2048, 8, 1.2, 7);
    assertArrayEquals(a, b);
    assertNotEquals(Arrays.toString(a[0]), Arrays.toString(a[1]));
    for (long[] row : a) {
      assertEquals(2048 * 8, Fixtures.sum(row));
      long max = Arrays.stream(row).max().getAsLong();
      assertTrue(max <= 2048, "an expert appears at most once per token");
      assertTrue(max > 2 * 2048 * 8 / 64, "skewed: max " + max);
    }
    assertThrows(
        IllegalArgumentException.class, () -> SyntheticRouting.zipfCounts(1, 4, 1, 5, 1.0, 1));
  }

  @Test
  void rejectsBadHotCold() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SyntheticRouting.hotColdSlots(8, 10, 2, 50, 8));
    assertEquals("hot experts must be in [1, 8), got 8", e.getMessage());
  }
}
