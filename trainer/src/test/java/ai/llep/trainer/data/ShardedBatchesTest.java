package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardedBatchesTest {
  private static List<PackedSequence> rows(int n) {
    List<PackedSequence> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(new PackedSequence(new int[] {i}, new int[] {i}));
    }
    return rows;
  }

  private static int id(PackedSequence row) {
    return row.inputIds()[0];
  }

  @Test
  void ranksSeeDisjointShardsAndEveryRowOncePerEpoch() {
    List<PackedSequence> all = rows(30);
    Set<Integer> seen = new HashSet<>();
    for (int rank = 0; rank < 3; rank++) {
      ShardedBatches batches = new ShardedBatches(all, rank, 3, 2, 9);
      for (int step = 0; step < batches.stepsPerEpoch(); step++) {
        for (PackedSequence row : batches.next()) {
          assertEquals(rank, id(row) % 3, "row from another rank's shard");
          assertTrue(seen.add(id(row)), "row " + id(row) + " twice in one epoch");
        }
      }
    }
    assertEquals(30, seen.size());
  }

  @Test
  void epochsReshuffleAndPositionsResumeExactly() {
    ShardedBatches a = new ShardedBatches(rows(40), 1, 2, 4, 5);
    List<Integer> firstEpoch = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      a.next().forEach(r -> firstEpoch.add(id(r)));
    }
    a.next();
    ShardedBatches.Position saved = a.position();
    assertEquals(1, saved.epoch());
    List<Integer> afterSave = a.next().stream().map(ShardedBatchesTest::id).toList();
    ShardedBatches b = new ShardedBatches(rows(40), 1, 2, 4, 5);
    b.seek(saved);
    assertEquals(afterSave, b.next().stream().map(ShardedBatchesTest::id).toList());
    ShardedBatches c = new ShardedBatches(rows(40), 1, 2, 4, 5);
    List<Integer> again = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      c.next().forEach(r -> again.add(id(r)));
    }
    assertEquals(firstEpoch, again, "same seed, same order");
    assertNotEquals(firstEpoch.subList(0, 4), afterSave);
  }

  @Test
  void tooLittleDataIsAClearError() {
    DataError e = assertThrows(DataError.class, () -> new ShardedBatches(rows(5), 0, 4, 2, 1));
    assertTrue(e.getMessage().startsWith("the data gives 5 rows, 1 per rank"), e.getMessage());
  }
}
