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
    assertArrayEquals(new int[] {4}, rows.get(0).segmentLengths(), "padding stays in the row");
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
    assertArrayEquals(new int[] {3, 1}, rows.get(0).segmentLengths(), "example 1, then 2's head");
    assertArrayEquals(new int[] {3, 1}, rows.get(1).segmentLengths(), "2's tail, then padding");
  }

  @Test
  void examplesEndingAtARowsEndStartTheNextRowAfresh() {
    List<PackedSequence> rows =
        new SequencePacker(3, 0, SequencePacker.Mode.PACK)
            .pack(
                List.of(new int[] {1, 2, 3}, new int[] {4}, new int[] {5, 6}),
                List.of(new boolean[3], new boolean[1], new boolean[2]));
    assertEquals(2, rows.size());
    assertArrayEquals(new int[] {3}, rows.get(0).segmentLengths());
    assertArrayEquals(new int[] {4, 5, 6}, rows.get(1).inputIds());
    assertArrayEquals(new int[] {1, 2}, rows.get(1).segmentLengths());
  }

  @Test
  void segmentsMustCoverTheRow() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> new PackedSequence(new int[3], new int[3], new int[] {1, 1}, 3));
    assertEquals(
        "segment lengths [1, 1] must be >= 1 and sum to the row's 3 tokens", e.getMessage());
  }
}
