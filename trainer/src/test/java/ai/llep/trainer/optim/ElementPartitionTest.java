package ai.llep.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ElementPartitionTest {
  @Test
  void cutsTheElementsIntoEqualChunksAcrossTensorBoundaries() {
    // 10 + 3 + 0 + 8 = 21 elements over 4 ranks: chunks of 6, the last rank 3.
    ElementPartition p = new ElementPartition(List.of(10L, 3L, 0L, 8L), 4);
    assertEquals(21, p.total());
    assertEquals(6, p.chunk());
    assertEquals(List.of(new ElementPartition.Slice(0, 0, 6)), p.slices(0));
    assertEquals(
        List.of(new ElementPartition.Slice(0, 6, 4), new ElementPartition.Slice(1, 0, 2)),
        p.slices(1));
    assertEquals(
        List.of(new ElementPartition.Slice(1, 2, 1), new ElementPartition.Slice(3, 0, 5)),
        p.slices(2));
    assertEquals(List.of(new ElementPartition.Slice(3, 5, 3)), p.slices(3));
    assertEquals(13, p.offset(2));
    assertEquals(13, p.offset(3));
  }

  /** Every element of every tensor belongs to exactly one rank, for many sizes and world sizes. */
  @Test
  void everyElementHasExactlyOneOwner() {
    List<List<Long>> cases =
        List.of(List.of(1L), List.of(7L, 1L, 13L), List.of(0L, 5L, 0L), List.of(2L, 2L, 2L, 2L));
    for (List<Long> sizes : cases) {
      for (int world = 1; world <= 6; world++) {
        ElementPartition p = new ElementPartition(sizes, world);
        int[][] owners = new int[sizes.size()][];
        for (int t = 0; t < sizes.size(); t++) {
          owners[t] = new int[(int) (long) sizes.get(t)];
        }
        long held = 0;
        for (int rank = 0; rank < world; rank++) {
          long mine = 0;
          for (ElementPartition.Slice s : p.slices(rank)) {
            for (long e = s.start(); e < s.end(); e++) {
              owners[s.tensor()][(int) e]++;
            }
            mine += s.length();
          }
          assertEquals(p.end(rank) - p.start(rank), mine, sizes + " rank " + rank + "/" + world);
          assertTrue(mine <= p.chunk(), sizes + " rank " + rank + "/" + world);
          held += mine;
        }
        assertEquals(p.total(), held, sizes + " over " + world);
        for (int[] tensor : owners) {
          for (int count : tensor) {
            assertEquals(1, count, sizes + " over " + world);
          }
        }
      }
    }
  }

  @Test
  void moreRanksThanElementsLeavesTheLastRanksEmpty() {
    ElementPartition p = new ElementPartition(List.of(2L, 1L), 5);
    assertEquals(1, p.chunk());
    assertEquals(List.of(new ElementPartition.Slice(1, 0, 1)), p.slices(2));
    assertEquals(List.of(), p.slices(3));
    assertEquals(List.of(), p.slices(4));
  }

  @Test
  void rejectsBadSizesAndRanks() {
    assertEquals(
        "tensor 1 has -1 elements",
        assertThrows(
                IllegalArgumentException.class, () -> new ElementPartition(List.of(1L, -1L), 2))
            .getMessage());
    assertEquals(
        "rank must be in [0, 2), got 2",
        assertThrows(
                IllegalArgumentException.class,
                () -> new ElementPartition(List.of(4L), 2).slices(2))
            .getMessage());
  }
}
