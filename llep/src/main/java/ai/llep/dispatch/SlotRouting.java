package ai.llep.dispatch;

import ai.llep.plan.Plan;
import ai.llep.plan.Segment;
import ai.llep.plan.SlotPiece;
import java.util.ArrayList;
import java.util.List;

/**
 * Where this rank's slots go and where the rows it receives come from, derived from the
 * all-gathered count matrix and the plan alone (every rank derives the same), so no expert ids
 * travel with the tokens.
 *
 * <p>A sender orders its slots by (destination, expert, local order); a receiver therefore gets,
 * from each source in turn, one run of rows per expert in expert order ({@link
 * Plan#receiveSegments}), and regroups them by expert so each expert runs one GEMM chain.
 */
final class SlotRouting {
  final long[] sendRows;
  final long[] recvRows;

  /** Slot index (token * K + k) of each sent row, in send order. */
  final long[] sendOrder;

  /** For each grouped row, its index among the received rows. */
  final long[] groupOrder;

  /** Experts computed here, in grouped order. */
  final List<Segment> segments;

  private SlotRouting(
      long[] sendRows,
      long[] recvRows,
      long[] sendOrder,
      long[] groupOrder,
      List<Segment> segments) {
    this.sendRows = sendRows;
    this.recvRows = recvRows;
    this.sendOrder = sendOrder;
    this.groupOrder = groupOrder;
    this.segments = segments;
  }

  /**
   * @param counts P x N slot counts of every rank
   * @param experts_S this rank's expert id of each slot, token-major
   */
  static SlotRouting of(long[][] counts, Plan plan, int rank, long[] experts_S) {
    int ranks = counts.length;
    long[] sendRows = new long[ranks];
    long[] sendOrder = sendOrder(plan.sendPieces(counts, rank), experts_S, ranks, sendRows);
    List<List<Segment>> incoming = plan.receiveSegments(counts, rank);
    long[] recvRows = new long[ranks];
    for (int src = 0; src < ranks; src++) {
      for (Segment s : incoming.get(src)) {
        recvRows[src] += s.rows();
      }
    }
    List<Segment> segments = new ArrayList<>();
    long[] groupOrder = groupOrder(incoming, counts[0].length, segments);
    return new SlotRouting(sendRows, recvRows, sendOrder, groupOrder, List.copyOf(segments));
  }

  /** Orders this rank's slots by (destination, expert, local order); fills {@code sendRows}. */
  private static long[] sendOrder(
      List<List<SlotPiece>> pieces, long[] experts_S, int ranks, long[] sendRows) {
    int experts = pieces.size();
    int[] seen = new int[experts];
    for (long e : experts_S) {
      seen[(int) e]++;
    }
    long[][] slotsOf = new long[experts][];
    for (int e = 0; e < experts; e++) {
      slotsOf[e] = new long[seen[e]];
      seen[e] = 0;
    }
    for (int s = 0; s < experts_S.length; s++) {
      int e = (int) experts_S[s];
      slotsOf[e][seen[e]++] = s;
    }
    long[] order = new long[experts_S.length];
    int next = 0;
    for (int dst = 0; dst < ranks; dst++) {
      for (int e = 0; e < experts; e++) {
        for (SlotPiece piece : pieces.get(e)) {
          if (piece.destination() == dst) {
            for (long i = piece.offset(); i < piece.offset() + piece.length(); i++) {
              order[next++] = slotsOf[e][(int) i];
            }
            sendRows[dst] += piece.length();
          }
        }
      }
    }
    return order;
  }

  /** Regroups received rows (source-major, then expert) by expert (then source). */
  private static long[] groupOrder(
      List<List<Segment>> incoming, int experts, List<Segment> segments) {
    int ranks = incoming.size();
    long[][] start = new long[ranks][experts];
    long[][] rows = new long[ranks][experts];
    long next = 0;
    for (int src = 0; src < ranks; src++) {
      for (Segment s : incoming.get(src)) {
        start[src][s.expert()] = next;
        rows[src][s.expert()] = s.rows();
        next += s.rows();
      }
    }
    long[] order = new long[Math.toIntExact(next)];
    int out = 0;
    for (int e = 0; e < experts; e++) {
      long expertRows = 0;
      for (int src = 0; src < ranks; src++) {
        for (long i = 0; i < rows[src][e]; i++) {
          order[out++] = start[src][e] + i;
        }
        expertRows += rows[src][e];
      }
      if (expertRows > 0) {
        segments.add(new Segment(e, expertRows));
      }
    }
    return order;
  }
}
