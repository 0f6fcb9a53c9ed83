package ai.llep.models.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class RotaryEmbeddingTest {
  private static final int HEAD_DIM = 8;
  private static final double THETA = 10_000;

  @Test
  void tablesHoldEachPositionsAnglesWhateverTheOrderAndAcrossGrowth() {
    RotaryEmbedding rotary = new RotaryEmbedding(HEAD_DIM, THETA);
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      for (int[][] positions :
          new int[][][] {{{5, 0, 3}, {7, 1, 2}}, {{100, 2, 0}}, {{0, 1, 2, 3}, {3, 2, 1, 0}}}) {
        RopeTables tables = rotary.tables(m, positions, DataType.FLOAT32);
        assertArrayEquals(expected(positions, true), tables.cos_B1SC().toFloatArray());
        float[] sin = expected(positions, false);
        assertArrayEquals(sin, tables.sin_B1SC().toFloatArray());
        float[] rolled = tables.rolledSin_B1SC().toFloatArray();
        for (int i = 0; i < sin.length; i++) {
          float sign = i % HEAD_DIM < HEAD_DIM / 2 ? -1 : 1;
          org.junit.jupiter.api.Assertions.assertEquals(sign * sin[i], rolled[i], "element " + i);
        }
      }
    }
  }

  @Test
  void aNegativePositionIsNamed() {
    RotaryEmbedding rotary = new RotaryEmbedding(HEAD_DIM, THETA);
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> rotary.tables(m, new int[][] {{0, -1}}, DataType.FLOAT32));
      org.junit.jupiter.api.Assertions.assertTrue(
          e.getMessage().contains("row 0, column 1"), e.getMessage());
    }
  }

  /** Hugging Face's rotate-half tables: inv_freq_i = theta^(-2i / C), angle in float32. */
  private static float[] expected(int[][] positions, boolean cos) {
    int half = HEAD_DIM / 2;
    float[] out = new float[positions.length * positions[0].length * HEAD_DIM];
    int at = 0;
    for (int[] row : positions) {
      for (int position : row) {
        for (int i = 0; i < HEAD_DIM; i++) {
          float invFreq = (float) (1.0 / Math.pow(THETA, (2.0 * (i % half)) / HEAD_DIM));
          float angle = position * invFreq;
          out[at++] = (float) (cos ? Math.cos(angle) : Math.sin(angle));
        }
      }
    }
    return out;
  }
}
