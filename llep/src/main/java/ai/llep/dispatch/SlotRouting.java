package ai.llep.dispatch;

import ai.llep.plan.Assignment;
import ai.llep.plan.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * Where this rank's slots go and where the rows it receives come from, derived from the
 * all-gathered count matrix and the plan alone (every rank derives the same), so no expert ids
 * travel with the tokens.
 *
 * <p>Expert e's global slot order is rank 0's slots of e in local order, then rank 1's, and so on;
 * the plan gives each range of that order to a rank. A sender orders its slots by (destination,
 * expert, local order); a receiver therefore gets, from each source in turn, one run of rows per
 * expert in expert order, and regroups them by expert so each expert runs one GEMM chain.
 */
final class SlotRouting {
  final long[] sendRows;
  final long[] recvRows;

  /** Slot index (token * K + k) of each sent row, in send order. */
  final long[] sendOrder;

  /** For each grouped row, its index among the received rows. */
  final long[] groupOrder;

  /** Experts computed here, in grouped order. */
  final List<ExpertSegment> segments;

  private SlotRouting(
      long[] sendRows,
      long[] recvRows,
      long[] sendOrder,
      long[] groupOrder,
      List<ExpertSegment> segments) {
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
    int experts = counts[0].length;
    // rows[src][e][dst]: how many of src's slots of e go to dst, from the intersection of src's
    // position range with each assignment range.
    long[][][] rows = new long[ranks][experts][ranks];
    for (int e = 0; e < experts; e++) {
      long offset = 0;
      List<Assignment> ranges = plan.assignments(e);
      for (int src = 0; src < ranks; src++) {
        long lo = offset;
        long hi = offset + counts[src][e];
        for (Assignment a : ranges) {
          long overlap = Math.min(hi, a.end()) - Math.max(lo, a.start());
          if (overlap > 0) {
            rows[src][e][a.rank()] += overlap;
          }
        }
        offset = hi;
      }
    }
    long[] sendRows = new long[ranks];
    long[] recvRows = new long[ranks];
    for (int e = 0; e < experts; e++) {
      for (int other = 0; other < ranks; other++) {
        sendRows[other] += rows[rank][e][other];
        recvRows[other] += rows[other][e][rank];
      }
    }
    long[] sendOrder = sendOrder(counts, plan, rank, experts_S);
    List<ExpertSegment> segments = new ArrayList<>();
    long[] groupOrder = groupOrder(rows, rank, recvRows, segments);
    return new SlotRouting(sendRows, recvRows, sendOrder, groupOrder, List.copyOf(segments));
  }

  /** Orders this rank's slots by (destination, expert, local order). */
  private static long[] sendOrder(long[][] counts, Plan plan, int rank, long[] experts_S) {
    int ranks = counts.length;
    int experts = counts[0].length;
    long[] base = new long[experts];
    for (int e = 0; e < experts; e++) {
      for (int src = 0; src < rank; src++) {
        base[e] += counts[src][e];
      }
    }
    // Bucket slots by (destination, expert); local order is kept by scanning slots in order.
    long[][] bucketSize = new long[ranks][experts];
    int[] destination = new int[experts_S.length];
    long[] seen = new long[experts];
    int[] cursor = new int[experts];
    for (int s = 0; s < experts_S.length; s++) {
      int e = (int) experts_S[s];
      long position = base[e] + seen[e]++;
      List<Assignment> ranges = plan.assignments(e);
      while (ranges.get(cursor[e]).end() <= position) {
        cursor[e]++;
      }
      destination[s] = ranges.get(cursor[e]).rank();
      bucketSize[destination[s]][e]++;
    }
    long[][] bucketStart = new long[ranks][experts];
    long next = 0;
    for (int dst = 0; dst < ranks; dst++) {
      for (int e = 0; e < experts; e++) {
        bucketStart[dst][e] = next;
        next += bucketSize[dst][e];
      }
    }
    long[] order = new long[experts_S.length];
    for (int s = 0; s < experts_S.length; s++) {
      order[(int) bucketStart[destination[s]][(int) experts_S[s]]++] = s;
    }
    return order;
  }

  /** Regroups received rows (source-major, then expert) by expert (then source). */
  private static long[] groupOrder(
      long[][][] rows, int rank, long[] recvRows, List<ExpertSegment> segments) {
    int ranks = rows.length;
    int experts = rows[0].length;
    long[][] start = new long[ranks][experts];
    long next = 0;
    for (int src = 0; src < ranks; src++) {
      for (int e = 0; e < experts; e++) {
        start[src][e] = next;
        next += rows[src][e][rank];
      }
    }
    long[] order = new long[Math.toIntExact(next)];
    int out = 0;
    for (int e = 0; e < experts; e++) {
      long expertRows = 0;
      for (int src = 0; src < ranks; src++) {
        long n = rows[src][e][rank];
        for (long i = 0; i < n; i++) {
          order[out++] = start[src][e] + i;
        }
        expertRows += n;
      }
      if (expertRows > 0) {
        segments.add(new ExpertSegment(e, expertRows));
      }
    }
    return order;
  }
}
