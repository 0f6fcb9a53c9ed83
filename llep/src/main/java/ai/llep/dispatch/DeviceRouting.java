package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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
 * Where this rank's slots go and where the rows it computes come from, derived from the
 * all-gathered count matrix and the plan alone (every rank derives the same), so no expert ids
 * travel with the tokens. The host works per (rank, expert) run; per-row indices are built on the
 * device ({@link RunIndex}).
 *
 * <p>A sender orders its slots by (destination, expert, local order); a receiver therefore gets,
 * from each source in turn, one run of rows per expert in expert order ({@link
 * Plan#receiveSegments}), regroups them by expert so each expert runs one GEMM chain, and returns
 * each expert's output rows to their sources in the order they came.
 *
 * <p>Rows a rank keeps for itself never pass through the all-to-all: the experts read them straight
 * from the rank's tokens, and their outputs straight from the experts' outputs. Only rows for other
 * ranks are gathered into a send buffer, so under a skewed load that LLEP keeps local (most rows
 * stay home) the layer copies a fraction of what a full all-to-all would.
 */
final class DeviceRouting {
  /** Rows to and from each rank through the all-to-all: none for this rank itself. */
  final long[] remoteSendRows;

  final long[] remoteRecvRows;

  /** Slot index (token * K + k) of each row in send order (this rank's own rows included). */
  final NDArray sendSlots;

  /** Token of each row sent to another rank, in send order. */
  final NDArray remoteSendTokens;

  /**
   * For each grouped row, its row in [this rank's tokens; rows received from other ranks]: the
   * experts' input is one gather from their concatenation.
   */
  final NDArray groupSource;

  /** Experts computed here, in grouped order. */
  final List<Segment> segments;

  /** First grouped row of each segment. */
  final long[] segmentOffsets;

  /** The GEMM chains that compute the segments, in {@link ExpertBatching}'s order. */
  final List<ExpertWork> work;

  /**
   * For each batched item of {@link #work}, the grouped row behind each of its padded rows (padding
   * repeats real rows; their outputs are never read); null for a single expert.
   */
  final List<NDArray> padIndex;

  /** The output rows to return to other ranks, in their receive order, as runs of outputs. */
  final List<OutputRun> remoteReturnRuns;

  /**
   * For each row in send order, its output's row in [the experts' outputs in grouped order; rows
   * returned by other ranks]; the un-permute is one gather from their concatenation.
   */
  final NDArray sendSource;

  /** Rows {@code [offset, offset + rows)} of the output of segment {@code segment}. */
  record OutputRun(int segment, long offset, long rows) {}

  private DeviceRouting(
      long[] remoteSendRows,
      long[] remoteRecvRows,
      NDArray sendSlots,
      NDArray remoteSendTokens,
      NDArray groupSource,
      List<Segment> segments,
      long[] segmentOffsets,
      List<ExpertWork> work,
      List<NDArray> padIndex,
      List<OutputRun> remoteReturnRuns,
      NDArray sendSource) {
    this.remoteSendRows = remoteSendRows;
    this.remoteRecvRows = remoteRecvRows;
    this.sendSlots = sendSlots;
    this.remoteSendTokens = remoteSendTokens;
    this.groupSource = groupSource;
    this.segments = segments;
    this.segmentOffsets = segmentOffsets;
    this.work = work;
    this.padIndex = padIndex;
    this.remoteReturnRuns = remoteReturnRuns;
    this.sendSource = sendSource;
  }

  /**
   * @param counts P x N slot counts of every rank
   * @param byExpert_S this rank's slot indices ordered by (expert, slot), on the device
   * @param topK slots per token
   * @param firstNative the first expert this rank owns
   * @param batchable how many of its experts may run in batches: the stack's size, or 0 for none
   * @param batchRows largest expert, in rows, that may run in a batch ({@link ExpertBatching})
   */
  static DeviceRouting of(
      NDManager manager,
      long[][] counts,
      Plan plan,
      int rank,
      NDArray byExpert_S,
      int topK,
      int firstNative,
      int batchable,
      long batchRows) {
    int ranks = counts.length;
    int experts = counts[rank].length;
    long slots = byExpert_S.getShape().get(0);
    long tokens = slots / topK;
    long[] sendRows = new long[ranks];
    RunIndex runIndex = new RunIndex();
    int sendOrder = sendRuns(runIndex, plan.sendPieces(counts, rank), counts[rank], sendRows);
    long selfFrom = 0;
    for (int dst = 0; dst < rank; dst++) {
      selfFrom += sendRows[dst];
    }
    long selfRows = sendRows[rank];

    List<List<Segment>> incoming = plan.receiveSegments(counts, rank);
    long[] remoteRecvRows = new long[ranks];
    long[][] rows = new long[ranks][experts];
    long[][] remoteStart = new long[ranks][experts];
    long[] selfStart = new long[experts];
    long remoteNext = 0;
    long selfNext = 0;
    for (int src = 0; src < ranks; src++) {
      for (Segment s : incoming.get(src)) {
        rows[src][s.expert()] = s.rows();
        if (src == rank) {
          selfStart[s.expert()] = selfNext;
          selfNext += s.rows();
        } else {
          remoteStart[src][s.expert()] = remoteNext;
          remoteNext += s.rows();
          remoteRecvRows[src] += s.rows();
        }
      }
    }
    List<Segment> segments = new ArrayList<>();
    int[] segmentOf = new int[experts];
    long[][] groupedStart = new long[ranks][experts];
    long[] from = new long[ranks * experts];
    long[] length = new long[ranks * experts];
    int run = 0;
    long grouped = 0;
    for (int e = 0; e < experts; e++) {
      long expertRows = 0;
      for (int src = 0; src < ranks; src++) {
        if (rows[src][e] == 0) {
          continue;
        }
        groupedStart[src][e] = grouped;
        // Rows of the lookup table [own rows' tokens; T + received row], in grouped order.
        from[run] = src == rank ? selfStart[e] : selfRows + remoteStart[src][e];
        length[run++] = rows[src][e];
        grouped += rows[src][e];
        expertRows += rows[src][e];
      }
      if (expertRows > 0) {
        segmentOf[e] = segments.size();
        segments.add(new Segment(e, expertRows));
      }
    }
    int groupTable = runIndex.add(Arrays.copyOf(from, run), Arrays.copyOf(length, run));
    int sendSourceNumber =
        sendSourceRuns(
            runIndex, incoming.get(rank), groupedStart[rank], grouped, selfFrom, selfRows, slots);
    int remoteSendNumber =
        runIndex.add(
            new long[] {0, selfFrom + selfRows},
            new long[] {selfFrom, slots - selfFrom - selfRows});
    long[] segmentOffsets = new long[segments.size()];
    for (int i = 1; i < segmentOffsets.length; i++) {
      segmentOffsets[i] = segmentOffsets[i - 1] + segments.get(i - 1).rows();
    }
    List<ExpertWork> work = ExpertBatching.plan(segments, firstNative, batchable, batchRows);
    int[] padIndexNumber = new int[work.size()];
    for (int w = 0; w < work.size(); w++) {
      padIndexNumber[w] =
          work.get(w).batched()
              ? padRuns(runIndex, work.get(w), segments, segmentOffsets, firstNative)
              : -1;
    }
    List<NDArray> indices = runIndex.build(manager);
    NDArray sendSlots = byExpert_S.take(indices.get(sendOrder));
    NDArray sendTokens = tokenOfSlot(manager, tokens, topK).take(sendSlots);
    NDArray remoteSendTokens =
        selfRows == 0 ? sendTokens : sendTokens.take(indices.get(remoteSendNumber));
    NDArray table =
        NDArrays.concat(
            new NDList(
                sendTokens.get(RunIndex.slice(selfFrom, selfFrom + selfRows)),
                manager.arange(tokens, tokens + remoteNext, 1L, DataType.INT64)));
    NDArray groupSource = table.take(indices.get(groupTable));
    List<NDArray> padIndex = new ArrayList<>(work.size());
    for (int number : padIndexNumber) {
      padIndex.add(number < 0 ? null : indices.get(number));
    }
    List<OutputRun> remoteReturnRuns = new ArrayList<>();
    for (int src = 0; src < ranks; src++) {
      if (src == rank) {
        continue;
      }
      for (Segment s : incoming.get(src)) {
        int e = s.expert();
        remoteReturnRuns.add(
            new OutputRun(
                segmentOf[e], groupedStart[src][e] - segmentOffsets[segmentOf[e]], s.rows()));
      }
    }
    long[] remoteSendRows = sendRows.clone();
    remoteSendRows[rank] = 0;
    return new DeviceRouting(
        remoteSendRows,
        remoteRecvRows,
        sendSlots,
        remoteSendTokens,
        groupSource,
        List.copyOf(segments),
        segmentOffsets,
        work,
        Collections.unmodifiableList(padIndex),
        List.copyOf(remoteReturnRuns),
        indices.get(sendSourceNumber));
  }

  /** The token of each slot (token-major, K slots per token): 0, 0, ..., 1, 1, ... */
  static NDArray tokenOfSlot(NDManager manager, long tokens, int topK) {
    return manager
        .arange(0L, tokens, 1L, DataType.INT64)
        .reshape(tokens, 1)
        .broadcast(new Shape(tokens, topK))
        .reshape(tokens * topK);
  }

  /**
   * Adds the index from send order to [grouped outputs; returned rows]: rows sent to other ranks
   * come back in send order after the {@code groupedRows} outputs; this rank's own rows are read
   * where their expert's output put them.
   */
  private static int sendSourceRuns(
      RunIndex runIndex,
      List<Segment> ownIncoming,
      long[] ownGroupedStart,
      long groupedRows,
      long selfFrom,
      long selfRows,
      long slots) {
    int runs = ownIncoming.size() + 2;
    long[] from = new long[runs];
    long[] length = new long[runs];
    from[0] = groupedRows;
    length[0] = selfFrom;
    for (int i = 0; i < ownIncoming.size(); i++) {
      Segment s = ownIncoming.get(i);
      from[i + 1] = ownGroupedStart[s.expert()];
      length[i + 1] = s.rows();
    }
    from[runs - 1] = groupedRows + selfFrom;
    length[runs - 1] = slots - selfFrom - selfRows;
    return runIndex.add(from, length);
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
  private static int sendRuns(
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
    return runIndex.add(
        from.stream().mapToLong(Long::longValue).toArray(),
        length.stream().mapToLong(Long::longValue).toArray());
  }
}
