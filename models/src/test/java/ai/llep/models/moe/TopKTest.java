package ai.llep.models.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TopKTest {
  @Test
  void picksTheLargestInDescendingOrderPerToken() {
    double[] probs = {0.3, 0.1, 0.6, 0.0, 0.05, 0.15, 0.2, 0.6};
    assertArrayEquals(new long[] {2, 0, 3, 2}, TopK.select(probs, 2, 4, 2));
  }

  @Test
  void tiesGoToTheLowerExpert() {
    double[] probs = {0.1, 0.4, 0.4, 0.1};
    assertArrayEquals(new long[] {1, 2}, TopK.select(probs, 1, 4, 2));
    assertArrayEquals(new long[] {1, 2, 0, 3}, TopK.select(probs, 1, 4, 4));
    assertArrayEquals(new long[] {0, 1}, TopK.select(new double[] {0.5, 0.5}, 1, 2, 2));
  }

  @Test
  void handlesNoTokens() {
    assertEquals(0, TopK.select(new double[0], 0, 4, 2).length);
  }

  @Test
  void refusesNaN() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> TopK.select(new double[] {0.5, Double.NaN}, 1, 2, 1));
    assertEquals("router probability of token 0 for expert 1 is NaN", e.getMessage());
  }
}
