package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.plan.Plan;
import ai.llep.plan.Segment;
import ai.llep.plan.SlotPiece;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where this rank's slots go and where the rows it receives come from, derived from the
 * all-gathered count matrix and the plan alone (every rank derives the same), so no expert ids
 * travel with the tokens. The host works per (rank, expert) run; per-row indices are built on the
 * device ({@link RunIndex}).
 *
 * <p>A sender orders its slots by (destination, expert, local order); a receiver therefore gets,
 * from each source in turn, one run of rows per expert in expert order ({@link
 * Plan#receiveSegments}), regroups them by expert so each expert runs one GEMM chain, and returns
 * each expert's output rows to their sources in the order they came.
 */
final class DeviceRouting {
  final long[] sendRows;
  final long[] recvRows;

  /** Slot index (token * K + k) of each sent row, in send order; int64 on the device. */
  final NDArray sendSlots;

  /** Token of each sent row, in send order; int64 on the device. */
  final NDArray sendTokens;

  /**
   * For each grouped row, its index among the received rows; null when they are already grouped.
   */
  final NDArray groupIndex;

  /** Experts computed here, in grouped order. */
  final List<Segment> segments;

  /** The output rows to return, in receive order, as runs of the experts' outputs. */
  final List<OutputRun> returnRuns;

  /** Rows {@code [offset, offset + rows)} of the output of segment {@code segment}. */
  record OutputRun(int segment, long offset, long rows) {}

  private DeviceRouting(
      long[] sendRows,
      long[] recvRows,
      NDArray sendSlots,
      NDArray sendTokens,
      NDArray groupIndex,
      List<Segment> segments,
      List<OutputRun> returnRuns) {
    this.sendRows = sendRows;
    this.recvRows = recvRows;
    this.sendSlots = sendSlots;
    this.sendTokens = sendTokens;
    this.groupIndex = groupIndex;
    this.segments = segments;
    this.returnRuns = returnRuns;
  }

  /**
   * @param counts P x N slot counts of every rank
   * @param byExpert_S this rank's slot indices ordered by (expert, slot), on the device
   * @param topK slots per token
   */
  static DeviceRouting of(
      NDManager manager, long[][] counts, Plan plan, int rank, NDArray byExpert_S, int topK) {
    int ranks = counts.length;
    int experts = counts[rank].length;
    long[] sendRows = new long[ranks];
    RunIndex runIndex = new RunIndex();
    sendRuns(runIndex, plan.sendPieces(counts, rank), counts[rank], sendRows);

    List<List<Segment>> incoming = plan.receiveSegments(counts, rank);
    long[] recvRows = new long[ranks];
    long[][] start = new long[ranks][experts];
    long[][] rows = new long[ranks][experts];
    long next = 0;
    for (int src = 0; src < ranks; src++) {
      for (Segment s : incoming.get(src)) {
        start[src][s.expert()] = next;
        rows[src][s.expert()] = s.rows();
        next += s.rows();
        recvRows[src] += s.rows();
      }
    }
    List<Segment> segments = new ArrayList<>();
    int[] segmentOf = new int[experts];
    long[][] offsetInSegment = new long[ranks][experts];
    long[] from = new long[ranks * experts];
    long[] length = new long[ranks * experts];
    int run = 0;
    boolean inOrder = true;
    long grouped = 0;
    for (int e = 0; e < experts; e++) {
      long expertRows = 0;
      for (int src = 0; src < ranks; src++) {
        if (rows[src][e] == 0) {
          continue;
        }
        offsetInSegment[src][e] = expertRows;
        from[run] = start[src][e];
        length[run++] = rows[src][e];
        inOrder &= start[src][e] == grouped;
        grouped += rows[src][e];
        expertRows += rows[src][e];
      }
      if (expertRows > 0) {
        segmentOf[e] = segments.size();
        segments.add(new Segment(e, expertRows));
      }
    }
    if (!inOrder) {
      runIndex.add(Arrays.copyOf(from, run), Arrays.copyOf(length, run));
    }
    List<NDArray> indices = runIndex.build(manager);
    NDArray sendSlots = byExpert_S.take(indices.getFirst());
    NDArray groupIndex = inOrder ? null : indices.get(1);
    long tokens = byExpert_S.getShape().get(0) / topK;
    NDArray tokenOfSlot =
        manager
            .arange(0L, tokens, 1L, DataType.INT64)
            .reshape(tokens, 1)
            .broadcast(new Shape(tokens, topK))
            .reshape(tokens * topK);
    NDArray sendTokens = tokenOfSlot.take(sendSlots);
    List<OutputRun> returnRuns = new ArrayList<>();
    for (int src = 0; src < ranks; src++) {
      for (Segment s : incoming.get(src)) {
        returnRuns.add(
            new OutputRun(segmentOf[s.expert()], offsetInSegment[src][s.expert()], s.rows()));
      }
    }
    return new DeviceRouting(
        sendRows,
        recvRows,
        sendSlots,
        sendTokens,
        groupIndex,
        List.copyOf(segments),
        List.copyOf(returnRuns));
  }

  /**
   * Adds the positions, in the (expert, slot) order, of the slots in send order: by destination,
   * then expert, then local order. Fills {@code sendRows}.
   */
  private static void sendRuns(
      RunIndex runIndex, List<List<SlotPiece>> pieces, long[] localCounts, long[] sendRows) {
    int experts = pieces.size();
    long[] expertStart = new long[experts];
    for (int e = 1; e < experts; e++) {
      expertStart[e] = expertStart[e - 1] + localCounts[e - 1];
    }
    List<Long> from = new ArrayList<>();
    List<Long> length = new ArrayList<>();
    for (int dst = 0; dst < sendRows.length; dst++) {
      for (int e = 0; e < experts; e++) {
        for (SlotPiece piece : pieces.get(e)) {
          if (piece.destination() == dst) {
            from.add(expertStart[e] + piece.offset());
            length.add(piece.length());
            sendRows[dst] += piece.length();
          }
        }
      }
    }
    runIndex.add(
        from.stream().mapToLong(Long::longValue).toArray(),
        length.stream().mapToLong(Long::longValue).toArray());
  }
}
