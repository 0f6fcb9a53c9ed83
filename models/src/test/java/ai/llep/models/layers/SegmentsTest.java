package ai.llep.models.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Segment bookkeeping: positions, the block-diagonal causal mask, cumulative lengths. */
class SegmentsTest {
  private final Segments segments = new Segments(new int[][] {{2, 3}, {5}});

  @Test
  void positionsRestartInEverySegment() {
    assertArrayEquals(new int[] {0, 1, 0, 1, 2}, segments.restartingPositions_BS()[0]);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4}, segments.restartingPositions_BS()[1]);
    assertEquals(5, segments.maxLength());
    assertEquals(3, new Segments(new int[][] {{2, 3}}).maxLength());
    assertFalse(segments.wholeRowsOnly());
    assertTrue(Segments.wholeRows(2, 5).wholeRowsOnly());
  }

  @Test
  void theMaskIsCausalInsideEachSegmentOnly() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray mask = segments.blockCausalMask_B1SS(m);
      assertEquals(new Shape(2, 1, 5, 5), mask.getShape());
      boolean[] row0 = mask.get("0, 0").toBooleanArray();
      boolean t = true;
      boolean f = false;
      assertArrayEquals(
          new boolean[] {
            t, f, f, f, f, //
            t, t, f, f, f, //
            f, f, t, f, f, //
            f, f, t, t, f, //
            f, f, t, t, t
          },
          row0);
      boolean[] row1 = mask.get("1, 0").toBooleanArray();
      assertTrue(row1[4 * 5], "one segment: plain causal");
      assertFalse(row1[5 - 1]);
    }
  }

  @Test
  void cumulativeLengthsRunOverTheRowsBackToBack() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      assertArrayEquals(new int[] {0, 2, 5, 10}, segments.cumulativeLengths(m).toIntArray());
    }
  }

  @Test
  void segmentsMustCoverEachRowExactly() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Segments(new int[][] {{2, 3}, {4}}));
    assertEquals("row 1 segments cover 4 positions, row 0 covers 5", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Segments(new int[][] {{0, 5}}));
  }
}
