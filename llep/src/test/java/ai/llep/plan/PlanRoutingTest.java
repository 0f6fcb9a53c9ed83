package ai.llep.plan;

import static ai.llep.plan.Fixtures.DEFAULT;
import static ai.llep.plan.Fixtures.REFERENCE;
import static ai.llep.plan.Fixtures.a;
import static ai.llep.plan.Fixtures.llep;
import static ai.llep.plan.Fixtures.onRankZero;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Send matrix, send pieces and receive segments on examples worked out by hand. */
class PlanRoutingTest {

  @Test
  void spilledExpertCrossesRanks() {
    long[][] counts = {{3, 10}, {1, 6}};
    Plan plan = llep(DEFAULT, 1.0, 1, counts, 2);
    assertEquals(List.of(a(1, 0, 10), a(0, 10, 16)), plan.assignments(1));
    assertEquals(List.of(a(0, 0, 4)), plan.assignments(0));
    // Expert 1: rank 0 owns positions [0, 10) -> rank 1; rank 1 owns [10, 16) -> rank 0.
    assertArrayEquals(new long[][] {{3, 10}, {7, 0}}, plan.sendMatrix(counts));
    assertEquals(
        List.of(List.of(new SlotPiece(0, 0, 3)), List.of(new SlotPiece(1, 0, 10))),
        plan.sendPieces(counts, 0));
    assertEquals(
        List.of(List.of(new SlotPiece(0, 0, 1)), List.of(new SlotPiece(0, 0, 6))),
        plan.sendPieces(counts, 1));
    assertEquals(
        List.of(List.of(new Segment(0, 3)), List.of(new Segment(0, 1), new Segment(1, 6))),
        plan.receiveSegments(counts, 0));
    assertEquals(List.of(List.of(new Segment(1, 10)), List.of()), plan.receiveSegments(counts, 1));
  }

  @Test
  void oneSourceSplitsAcrossTwoDestinations() {
    long[][] counts = {{10, 1}, {10, 1}};
    Plan plan = llep(DEFAULT, 1.0, 1, counts, 2);
    assertEquals(List.of(a(0, 0, 11), a(1, 11, 20)), plan.assignments(0));
    assertEquals(List.of(a(1, 0, 2)), plan.assignments(1));
    assertArrayEquals(new long[][] {{10, 1}, {1, 10}}, plan.sendMatrix(counts));
    assertEquals(
        List.of(
            List.of(new SlotPiece(0, 0, 1), new SlotPiece(1, 1, 9)),
            List.of(new SlotPiece(1, 0, 1))),
        plan.sendPieces(counts, 1));
    assertEquals(
        List.of(List.of(new Segment(1, 1)), List.of(new Segment(0, 9), new Segment(1, 1))),
        plan.receiveSegments(counts, 1));
    assertEquals(
        List.of(List.of(new Segment(0, 10)), List.of(new Segment(0, 1))),
        plan.receiveSegments(counts, 0));
  }

  @Test
  void adjacentReferenceChunksToOneRankBecomeOnePiece() {
    long[][] counts = onRankZero(2, 2214, 29785);
    Plan plan = llep(REFERENCE, 1.0, 1024, counts, 2);
    assertEquals(3, plan.assignments(1).size());
    assertEquals(
        List.of(new SlotPiece(1, 0, 15999), new SlotPiece(0, 15999, 13786)),
        plan.sendPieces(counts, 0).get(1));
    assertEquals(List.of(List.of(), List.of()), plan.sendPieces(counts, 1));
    assertArrayEquals(new long[][] {{2213 + 13786, 1 + 15999}, {0, 0}}, plan.sendMatrix(counts));
  }

  @Test
  void nativeRangesSplitAroundAHelper() {
    long[] c = {10, 8, 5, 5, 7, 11, 817, 374, 5, 40, 5, 652, 12, 6, 8, 28};
    long[][] counts = new long[8][16];
    for (int e = 0; e < 16; e++) {
      for (int r = 0; r < 8; r++) {
        counts[r][e] = c[e] / 8 + (r < c[e] % 8 ? 1 : 0);
      }
    }
    Plan plan = llep(DEFAULT, 1.1, 256, counts, 16);
    // Expert 11 (82 slots per rank, 81 on ranks 4..7): [0, 270) -> 5, [270, 527) -> 6, rest -> 5.
    assertEquals(
        List.of(new SlotPiece(5, 0, 24), new SlotPiece(6, 24, 58)),
        plan.sendPieces(counts, 3).get(11));
    assertEquals(
        List.of(new SlotPiece(6, 0, 37), new SlotPiece(5, 37, 44)),
        plan.sendPieces(counts, 6).get(11));
    long rowsOfElevenOnFive = 0;
    for (List<Segment> fromSource : plan.receiveSegments(counts, 5)) {
      for (Segment s : fromSource) {
        rowsOfElevenOnFive += s.expert() == 11 ? s.rows() : 0;
      }
    }
    assertEquals(270 + 125, rowsOfElevenOnFive);
  }

  @Test
  void countsMustMatchThePlan() {
    Plan plan = llep(DEFAULT, 1.0, 1, new long[][] {{3, 10}, {1, 6}}, 2);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> plan.sendMatrix(new long[][] {{3, 10}, {1, 5}}));
    assertEquals("counts give expert 1 15 slots, the plan has 16", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> plan.sendMatrix(new long[][] {{3, 10}}));
    assertEquals("counts must have 2 rows (one per rank), got 1", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> plan.receiveSegments(new long[][] {{3, 10}, {1, 6}}, 2));
    assertEquals("rank must be in [0, 2), got 2", e.getMessage());
  }
}
