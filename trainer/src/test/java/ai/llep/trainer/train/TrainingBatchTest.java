package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.llep.models.TokenBatch;
import ai.llep.trainer.data.PackedSequence;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packed rows reach the model with their segments and per-segment rotary positions. */
class TrainingBatchTest {
  @Test
  void segmentsAndRestartingPositionsTravelIntoTheBatch() {
    PackedSequence packed =
        new PackedSequence(
            new int[] {1, 2, 3, 4, 5, 0},
            new int[] {-100, 2, 3, -100, 5, -100},
            new int[] {3, 2, 1},
            5);
    PackedSequence padded = new PackedSequence(new int[] {7, 8, 0, 0, 0, 0}, new int[6]);
    TokenBatch batch = TrainingRun.toBatch(List.of(packed, padded));
    assertArrayEquals(new int[] {0, 1, 2, 0, 1, 0}, batch.positions_BS()[0]);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, batch.positions_BS()[1]);
    assertArrayEquals(new int[] {3, 2, 1}, batch.segments().lengths_B()[0]);
    assertArrayEquals(new int[] {6}, batch.segments().lengths_B()[1]);
    assertArrayEquals(packed.labels(), batch.labels_BS()[0]);
  }
}
