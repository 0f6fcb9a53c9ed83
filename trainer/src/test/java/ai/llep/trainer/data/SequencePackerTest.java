package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SequencePackerTest {
  private static final int I = PackedSequence.IGNORE;
  private final List<int[]> ids = List.of(new int[] {1, 2, 3}, new int[] {4, 5, 6, 7, 8, 9});
  private final List<boolean[]> masks =
      List.of(
          new boolean[] {false, true, true}, new boolean[] {false, false, true, true, true, true});

  @Test
  void padModeKeepsOneExamplePerRowAndTruncates() {
    List<PackedSequence> rows = new SequencePacker(4, 0, SequencePacker.Mode.PAD).pack(ids, masks);
    assertEquals(2, rows.size());
    assertArrayEquals(new int[] {1, 2, 3, 0}, rows.get(0).inputIds());
    assertArrayEquals(new int[] {I, 2, 3, I}, rows.get(0).labels());
    assertArrayEquals(new int[] {4, 5, 6, 7}, rows.get(1).inputIds());
    assertArrayEquals(new int[] {I, I, 6, 7}, rows.get(1).labels());
    assertEquals(List.of(3, 4), rows.stream().map(PackedSequence::length).toList(), "no padding");
  }

  @Test
  void packModeFillsRowsBackToBack() {
    List<PackedSequence> rows = new SequencePacker(4, 0, SequencePacker.Mode.PACK).pack(ids, masks);
    assertEquals(2, rows.size(), "the 6-token example is cut to one row's length first");
    assertArrayEquals(new int[] {1, 2, 3, 4}, rows.get(0).inputIds());
    assertArrayEquals(new int[] {I, 2, 3, I}, rows.get(0).labels());
    assertArrayEquals(new int[] {5, 6, 7, 0}, rows.get(1).inputIds());
    assertArrayEquals(new int[] {I, 6, 7, I}, rows.get(1).labels());
    assertEquals(2, rows.get(1).trainedTokens());
    assertEquals(List.of(4, 3), rows.stream().map(PackedSequence::length).toList(), "no padding");
  }
}
