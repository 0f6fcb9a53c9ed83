package ai.llep.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a plan and the P x N count matrix into messages. Expert e's global slot order is rank 0's
 * slots of e, then rank 1's, and so on: rank r owns positions [cum[r][e], cum[r+1][e]), and each
 * position goes to the rank whose assignment range contains it.
 */
final class PlanRouting {
  private PlanRouting() {}

  static long[][] sendMatrix(Plan plan, long[][] counts) {
    checkCounts(plan, counts);
    int ranks = plan.placement().ranks();
    long[][] send = new long[ranks][ranks];
    for (int e = 0; e < plan.placement().experts(); e++) {
      List<Assignment> list = plan.assignments(e);
      int ai = 0;
      long pos = 0;
      for (int r = 0; r < ranks; r++) {
        long end = pos + counts[r][e];
        while (pos < end) {
          Assignment a = list.get(ai);
          long take = Math.min(end, a.end()) - pos;
          send[r][a.rank()] += take;
          pos += take;
          if (pos == a.end()) {
            ai++;
          }
        }
      }
    }
    return send;
  }

  static List<List<SlotPiece>> sendPieces(Plan plan, long[][] counts, int source) {
    checkCounts(plan, counts);
    plan.placement().checkRank(source);
    int experts = plan.placement().experts();
    List<List<SlotPiece>> result = new ArrayList<>(experts);
    for (int e = 0; e < experts; e++) {
      long first = 0;
      for (int r = 0; r < source; r++) {
        first += counts[r][e];
      }
      long last = first + counts[source][e];
      List<SlotPiece> pieces = new ArrayList<>();
      for (Assignment a : plan.assignments(e)) {
        long from = Math.max(first, a.start());
        long to = Math.min(last, a.end());
        if (from >= to) {
          continue;
        }
        int lastIndex = pieces.size() - 1;
        if (lastIndex >= 0 && pieces.get(lastIndex).destination() == a.rank()) {
          SlotPiece prev = pieces.get(lastIndex);
          pieces.set(lastIndex, new SlotPiece(a.rank(), prev.offset(), prev.length() + to - from));
        } else {
          pieces.add(new SlotPiece(a.rank(), from - first, to - from));
        }
      }
      result.add(List.copyOf(pieces));
    }
    return List.copyOf(result);
  }

  static List<List<Segment>> receiveSegments(Plan plan, long[][] counts, int destination) {
    checkCounts(plan, counts);
    plan.placement().checkRank(destination);
    int ranks = plan.placement().ranks();
    int experts = plan.placement().experts();
    List<List<Segment>> result = new ArrayList<>(ranks);
    long[] cum = new long[experts];
    for (int s = 0; s < ranks; s++) {
      List<Segment> segments = new ArrayList<>();
      for (int e = 0; e < experts; e++) {
        long first = cum[e];
        long last = first + counts[s][e];
        cum[e] = last;
        long rows = 0;
        for (Assignment a : plan.assignments(e)) {
          if (a.rank() == destination) {
            rows += Math.max(0, Math.min(last, a.end()) - Math.max(first, a.start()));
          }
        }
        if (rows > 0) {
          segments.add(new Segment(e, rows));
        }
      }
      result.add(List.copyOf(segments));
    }
    return List.copyOf(result);
  }

  private static void checkCounts(Plan plan, long[][] counts) {
    long[] sums = RoutingCounts.columnSums(counts, plan.placement());
    long[] planned = plan.expertCounts();
    if (!Arrays.equals(sums, planned)) {
      for (int e = 0; e < sums.length; e++) {
        if (sums[e] != planned[e]) {
          throw new IllegalArgumentException(
              "counts give expert " + e + " " + sums[e] + " slots, the plan has " + planned[e]);
        }
      }
    }
  }
}
