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
import java.util.Collections;
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

  /** First grouped row of each segment. */
  final long[] segmentOffsets;

  /** The GEMM chains that compute the segments, largest first. */
  final List<ExpertWork> work;

  /**
   * For each batched item of {@link #work}, the grouped row behind each of its padded rows (padding
   * repeats real rows; their outputs are never read); null for a single expert.
   */
  final List<NDArray> padIndex;

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
      long[] segmentOffsets,
      List<ExpertWork> work,
      List<NDArray> padIndex,
      List<OutputRun> returnRuns) {
    this.sendRows = sendRows;
    this.recvRows = recvRows;
    this.sendSlots = sendSlots;
    this.sendTokens = sendTokens;
    this.groupIndex = groupIndex;
    this.segments = segments;
    this.segmentOffsets = segmentOffsets;
    this.work = work;
    this.padIndex = padIndex;
    this.returnRuns = returnRuns;
  }

  /**
   * @param counts P x N slot counts of every rank
   * @param byExpert_S this rank's slot indices ordered by (expert, slot), on the device
   * @param topK slots per token
   * @param natives this rank's experts: whether they are stacked, for batching
   * @param batchRows largest expert, in rows, that may run in a batch ({@link ExpertBatching})
   */
  static DeviceRouting of(
      NDManager manager,
      long[][] counts,
      Plan plan,
      int rank,
      NDArray byExpert_S,
      int topK,
      NativeExperts natives,
      long batchRows) {
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
    int groupIndexNumber =
        inOrder ? -1 : runIndex.add(Arrays.copyOf(from, run), Arrays.copyOf(length, run));
    long[] segmentOffsets = new long[segments.size()];
    for (int i = 1; i < segmentOffsets.length; i++) {
      segmentOffsets[i] = segmentOffsets[i - 1] + segments.get(i - 1).rows();
    }
    List<ExpertWork> work =
        ExpertBatching.plan(segments, natives.firstExpert(), natives.stackedCount(), batchRows);
    int[] padIndexNumber = new int[work.size()];
    for (int w = 0; w < work.size(); w++) {
      padIndexNumber[w] =
          work.get(w).batched()
              ? padRuns(runIndex, work.get(w), segments, segmentOffsets, natives.firstExpert())
              : -1;
    }
    List<NDArray> indices = runIndex.build(manager);
    NDArray sendSlots = byExpert_S.take(indices.getFirst());
    NDArray groupIndex = inOrder ? null : indices.get(groupIndexNumber);
    List<NDArray> padIndex = new ArrayList<>(work.size());
    for (int number : padIndexNumber) {
      padIndex.add(number < 0 ? null : indices.get(number));
    }
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
        segmentOffsets,
        work,
        Collections.unmodifiableList(padIndex),
        List.copyOf(returnRuns));
  }

  /**
   * Adds the gather index of a batch: for each expert of its range, its grouped rows, then the
   * first rows of the grouped input again as padding up to the batch's row count.
   */
  private static int padRuns(
      RunIndex runIndex,
      ExpertWork batch,
      List<Segment> segments,
      long[] segmentOffsets,
      int firstNative) {
    long[] from = new long[2 * batch.localCount()];
    long[] length = new long[from.length];
    for (int segment : batch.segments()) {
      int slot = segments.get(segment).expert() - firstNative - batch.firstLocal();
      from[2 * slot] = segmentOffsets[segment];
      length[2 * slot] = segments.get(segment).rows();
    }
    for (int slot = 0; slot < batch.localCount(); slot++) {
      length[2 * slot + 1] = batch.paddedRows() - length[2 * slot];
    }
    return runIndex.add(from, length);
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
