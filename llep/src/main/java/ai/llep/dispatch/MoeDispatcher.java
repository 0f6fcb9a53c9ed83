package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.Communicator;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PendingExchange;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Plan;
import ai.llep.plan.Planner;
import ai.llep.plan.Segment;
import ai.llep.plan.WeightTransfer;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.WeightLoan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one MoE layer's experts across ranks: count exchange, plan, permute, dispatch, expert
 * compute on native and borrowed experts, combine, un-permute and the routing-weighted sum. With a
 * standard-EP planner this is plain expert parallelism; with the least-loaded planner, slots and
 * the weights of overloaded experts move to idle ranks. Every cut goes through the tape, so the
 * backward is exact across ranks.
 */
public final class MoeDispatcher {
  /**
   * Default largest expert, in rows, that runs in a batch with its stacked neighbours: below about
   * this many rows a GPU finishes an expert's GEMMs faster than the host launches them.
   */
  public static final long DEFAULT_BATCH_ROWS = 1024;

  private final ExpertPlacement placement;
  private final Planner planner;
  private final DispatchPhases phases;
  private final long batchRows;
  private final boolean recomputeExperts;

  public MoeDispatcher(ExpertPlacement placement, Planner planner) {
    this(placement, planner, DispatchPhases.NONE);
  }

  /**
   * @param phases told as each phase of a forward starts, for timing them
   */
  public MoeDispatcher(ExpertPlacement placement, Planner planner, DispatchPhases phases) {
    this(placement, planner, phases, DEFAULT_BATCH_ROWS);
  }

  /**
   * @param batchRows largest expert, in rows, that runs in one batched GEMM chain with consecutive
   *     native experts when they are given as an {@link ExpertStack}; 0 runs every expert alone
   */
  public MoeDispatcher(
      ExpertPlacement placement, Planner planner, DispatchPhases phases, long batchRows) {
    if (batchRows < 0) {
      throw new IllegalArgumentException("batchRows must be >= 0, got " + batchRows);
    }
    this(placement, planner, phases, batchRows, false);
  }

  private MoeDispatcher(
      ExpertPlacement placement,
      Planner planner,
      DispatchPhases phases,
      long batchRows,
      boolean recomputeExperts) {
    this.placement = placement;
    this.planner = planner;
    this.phases = phases;
    this.batchRows = batchRows;
    this.recomputeExperts = recomputeExperts;
  }

  /**
   * This dispatcher with the expert computation checkpointed when the tape records: the forward
   * keeps each rank's expert inputs (its own rows and the rows it received, which the tape keeps
   * anyway) and the experts' outputs, but none of the GEMM chains' intermediates; the backward
   * recomputes the chains from the kept rows and weights, with no communication.
   */
  public MoeDispatcher recomputingExperts() {
    return new MoeDispatcher(placement, planner, phases, batchRows, true);
  }

  public ExpertPlacement placement() {
    return placement;
  }

  /**
   * {@link #forward(DistributedTape, NDArray, NDArray, NDArray, List)} with the expert ids on the
   * host; they are checked here and copied to the device.
   */
  public DispatchResult forward(
      DistributedTape tape,
      NDArray x_TD,
      long[] experts_S,
      NDArray weights_TK,
      List<ExpertWeights> nativeExperts) {
    checkExpertIds(tape.comm().rank(), experts_S);
    NDArray ids_S = x_TD.getManager().create(experts_S);
    return forward(tape, x_TD, ids_S, weights_TK, nativeExperts);
  }

  /**
   * @param x_TD this rank's tokens (any number, including none)
   * @param experts_S the expert of each slot, token-major: {@code T * K} int64 ids in [0, N) on the
   *     tokens' device (a router's top-k); only their per-expert counts ever reach the host
   * @param weights_TK routing weight of each slot, in the graph (the router's gradient flows here)
   * @param nativeExperts the weights of this rank's experts, in expert order
   */
  public DispatchResult forward(
      DistributedTape tape,
      NDArray x_TD,
      NDArray experts_S,
      NDArray weights_TK,
      List<ExpertWeights> nativeExperts) {
    NativeExperts natives =
        NativeExperts.of(placement.firstExpert(tape.comm().rank()), nativeExperts);
    return forward(tape, x_TD, experts_S, weights_TK, natives);
  }

  /**
   * {@link #forward(DistributedTape, NDArray, NDArray, NDArray, List)} with this rank's experts
   * stacked: small experts that are neighbours in the stack run as one batched GEMM chain.
   */
  public DispatchResult forward(
      DistributedTape tape,
      NDArray x_TD,
      NDArray experts_S,
      NDArray weights_TK,
      ExpertStack nativeExperts) {
    NativeExperts natives =
        NativeExperts.of(placement.firstExpert(tape.comm().rank()), nativeExperts);
    return forward(tape, x_TD, experts_S, weights_TK, natives);
  }

  private DispatchResult forward(
      DistributedTape tape,
      NDArray x_TD,
      NDArray experts_S,
      NDArray weights_TK,
      NativeExperts nativeExperts) {
    Communicator comm = tape.comm();
    int rank = comm.rank();
    checkInputs(comm, x_TD, experts_S, weights_TK, nativeExperts);
    NDManager manager = x_TD.getManager();
    long tokens = x_TD.getShape().get(0);
    long hidden = x_TD.getShape().get(1);
    int topK = Math.toIntExact(weights_TK.getShape().get(1));
    long slots = tokens * topK;

    phases.enter("count");
    long[][] counts = exchangeCounts(comm, manager, localCounts(experts_S));
    phases.enter("plan");
    // Queued after the counts' copy to the host, so the device sorts while the host plans.
    NDArray byExpert_S = slotsByExpert(manager, experts_S, slots);
    Plan plan = planner.plan(counts, placement);
    DeviceRouting routing =
        DeviceRouting.of(manager, counts, plan, rank, byExpert_S, topK, nativeExperts, batchRows);
    nativeExperts.prepare(routing.work, tape.recording());

    phases.enter("dispatch");
    // Own rows reach the experts directly and other rows through the all-to-all; the cuts on both
    // sides of the experts make the backward walk each part of the graph once.
    NDArray x_cut = tape.cut(x_TD, "input");
    NDArray x_SD = x_cut.get(routing.remoteSendTokens);
    NDArray x_RD = tape.allToAllV(x_SD, routing.remoteSendRows, routing.remoteRecvRows, "dispatch");
    phases.enter("weights");
    Loans loans = startLoans(tape, plan, nativeExperts, manager);
    phases.enter("experts");
    ExpertOutputs outputs =
        recomputeExperts && tape.recording()
            ? checkpointedOutputs(tape, routing, rank, x_cut, x_RD, nativeExperts, loans)
            : cutOutputs(
                tape, routing, computeExperts(rank, x_cut, x_RD, routing, nativeExperts, loans));
    phases.enter("combine");
    NDArray y_SD =
        tape.allToAllV(
            returnedRows(outputs, routing, x_TD),
            routing.remoteRecvRows,
            routing.remoteSendRows,
            "combine");

    phases.enter("unpermute");
    NDList sources =
        outputs.grouped_GD() != null
            ? new NDList(outputs.grouped_GD())
            : new NDList(outputs.bySegment());
    if (y_SD.getShape().get(0) > 0 || sources.isEmpty()) {
      sources.add(y_SD);
    }
    NDArray y_TKD =
        concat(sources)
            .get(slotSources(manager, routing, slots))
            .reshape(new Shape(tokens, topK, hidden));
    NDArray y_TD = weights_TK.expandDims(1).batchMatMul(y_TKD).reshape(new Shape(tokens, hidden));
    phases.enter("done");
    return new DispatchResult(
        y_TD, stats(plan, nativeExperts.expert(0), routing.work, counts[rank]));
  }

  /**
   * For each slot (token-major), its output's row in [outputs in grouped order; returned rows]: one
   * scatter of the send-order sources by the slots' send positions.
   */
  private static NDArray slotSources(NDManager manager, DeviceRouting routing, long slots) {
    if (slots == 0) {
      return routing.sendSource;
    }
    return manager
        .zeros(new Shape(slots), DataType.INT64)
        .put(routing.sendSlots, routing.sendSource);
  }

  /**
   * Each segment's output rows, and when recording all of them in grouped order as one cut that the
   * un-permute (own rows) and the combine (other ranks' rows) both read: the cut hands their summed
   * gradient to the experts in one backward call, where two would each run every expert's backward
   * GEMMs.
   */
  private record ExpertOutputs(NDArray[] bySegment, NDArray grouped_GD) {}

  private static ExpertOutputs cutOutputs(
      DistributedTape tape, DeviceRouting routing, NDArray[] outputs) {
    if (!tape.recording() || outputs.length == 0) {
      return new ExpertOutputs(outputs, null);
    }
    NDArray y_GD = tape.cut(concat(new NDList(outputs)), "experts");
    return new ExpertOutputs(
        RowRanges.of(y_GD, routing.segmentOffsets, segmentRows(routing)), y_GD);
  }

  /**
   * {@link #cutOutputs} for checkpointed experts: the grouped outputs are the checkpoint's output,
   * computed without autograd from the rows kept in the forward; the backward recomputes them with
   * the same plan, rows and weights (borrowed ones included).
   */
  private ExpertOutputs checkpointedOutputs(
      DistributedTape tape,
      DeviceRouting routing,
      int rank,
      NDArray x_TD,
      NDArray x_RD,
      NativeExperts nativeExperts,
      Loans loans) {
    if (routing.segments.isEmpty()) {
      loans.await();
      return new ExpertOutputs(new NDArray[0], null);
    }
    NDArray y_GD =
        tape.checkpoint(
            new NDList(x_TD, x_RD),
            (inner, rows) ->
                concat(
                    new NDList(
                        computeExperts(
                            rank, rows.get(0), rows.get(1), routing, nativeExperts, loans))),
            "experts");
    return new ExpertOutputs(
        RowRanges.of(y_GD, routing.segmentOffsets, segmentRows(routing)), y_GD);
  }

  /** The outputs other ranks' rows produced, in their receive order: one concatenation of views. */
  private static NDArray returnedRows(ExpertOutputs outputs, DeviceRouting routing, NDArray x_TD) {
    List<DeviceRouting.OutputRun> returned = routing.remoteReturnRuns;
    if (returned.isEmpty()) {
      return Aten.zeros(
          x_TD.getManager(),
          new Shape(0, x_TD.getShape().get(1)),
          Aten.dtype(x_TD),
          x_TD.getDevice());
    }
    NDList runs = new NDList(returned.size());
    if (outputs.grouped_GD() != null) {
      long[] starts = new long[returned.size()];
      long[] rows = new long[returned.size()];
      for (int i = 0; i < starts.length; i++) {
        DeviceRouting.OutputRun run = returned.get(i);
        starts[i] = routing.segmentOffsets[run.segment()] + run.offset();
        rows[i] = run.rows();
      }
      runs.addAll(Arrays.asList(RowRanges.of(outputs.grouped_GD(), starts, rows)));
    } else {
      for (DeviceRouting.OutputRun run : returned) {
        NDArray out = outputs.bySegment()[run.segment()];
        runs.add(
            run.offset() == 0 && run.rows() == out.getShape().get(0)
                ? out
                : out.get(RunIndex.slice(run.offset(), run.offset() + run.rows())));
      }
    }
    return concat(runs);
  }

  private static long[] segmentRows(DeviceRouting routing) {
    long[] rows = new long[routing.segments.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = routing.segments.get(i).rows();
    }
    return rows;
  }

  private static NDArray concat(NDList arrays) {
    return arrays.size() == 1 ? arrays.getFirst() : NDArrays.concat(arrays, 0);
  }

  /** Slot indices ordered by (expert, slot): a sort of unique keys, so the same on any device. */
  private static NDArray slotsByExpert(NDManager manager, NDArray experts_S, long slots) {
    if (slots == 0) {
      return manager.create(new long[0]);
    }
    NDArray slotIndex = manager.arange(0L, slots, 1L, DataType.INT64);
    return experts_S.mul(slots).add(slotIndex).argSort();
  }

  /** This rank's slots per expert, counted on the device (no copy to the host, no sync). */
  private NDArray localCounts(NDArray experts_S) {
    return experts_S.oneHot(placement.experts(), DataType.INT64).sum(new int[] {0});
  }

  private void checkInputs(
      Communicator comm,
      NDArray x_TD,
      NDArray experts_S,
      NDArray weights_TK,
      NativeExperts nativeExperts) {
    if (comm.worldSize() != placement.ranks()) {
      throw new IllegalArgumentException(
          "the placement is for " + placement.ranks() + " ranks, the job has " + comm.worldSize());
    }
    if (nativeExperts.count() != placement.expertsPerRank()) {
      throw new IllegalArgumentException(
          "rank "
              + comm.rank()
              + " holds "
              + nativeExperts.count()
              + " experts, the placement gives it "
              + placement.expertsPerRank());
    }
    Shape xShape = x_TD.getShape();
    Shape wShape = weights_TK.getShape();
    if (xShape.dimension() != 2 || wShape.dimension() != 2 || wShape.get(0) != xShape.get(0)) {
      throw new IllegalArgumentException(
          "expected x [T, D] and routing weights [T, K], got " + xShape + " and " + wShape);
    }
    if (experts_S.getShape().dimension() != 1
        || experts_S.getShape().get(0) != wShape.size()
        || experts_S.getDataType() != DataType.INT64) {
      throw new IllegalArgumentException(
          "expected T * K = "
              + wShape.size()
              + " int64 expert ids, got "
              + experts_S.getShape()
              + " "
              + experts_S.getDataType());
    }
  }

  private void checkExpertIds(int rank, long[] experts_S) {
    for (int s = 0; s < experts_S.length; s++) {
      if (experts_S[s] < 0 || experts_S[s] >= placement.experts()) {
        throw new IllegalArgumentException(
            "slot "
                + s
                + " on rank "
                + rank
                + " routes to expert "
                + experts_S[s]
                + ", outside [0, "
                + placement.experts()
                + ")");
      }
    }
  }

  /**
   * All-gathers the P x N count matrix: one small collective and one copy to the host per layer.
   */
  private long[][] exchangeCounts(Communicator comm, NDManager manager, NDArray local_N) {
    int experts = placement.experts();
    try (NDManager scope = manager.newSubManager()) {
      local_N.tempAttach(scope);
      long[] flat = comm.allGather(local_N).toLongArray();
      long[][] counts = new long[comm.worldSize()][];
      for (int r = 0; r < counts.length; r++) {
        counts[r] = Arrays.copyOfRange(flat, r * experts, (r + 1) * experts);
      }
      return counts;
    }
  }

  /**
   * The weight exchange of one forward: borrowed experts arrive once it is awaited (once; a
   * recompute of the experts gets the same borrowed weights).
   */
  private static final class Loans {
    private final PendingExchange pending;
    private final List<Integer> experts;
    private final int tensorsPerExpert;
    private Map<Integer, ExpertWeights> borrowed;

    Loans(PendingExchange pending, List<Integer> experts, int tensorsPerExpert) {
      this.pending = pending;
      this.experts = experts;
      this.tensorsPerExpert = tensorsPerExpert;
    }

    Map<Integer, ExpertWeights> await() {
      if (borrowed != null) {
        return borrowed;
      }
      pending.await();
      NDList received = pending.received();
      borrowed = new HashMap<>();
      for (int i = 0; i < experts.size(); i++) {
        List<NDArray> tensors = received.subList(i * tensorsPerExpert, (i + 1) * tensorsPerExpert);
        borrowed.putIfAbsent(experts.get(i), ExpertWeights.fromTensors(tensors));
      }
      return borrowed;
    }
  }

  /**
   * Lends this rank's experts that the plan spills and borrows the ones it helps with, in one batch
   * of point-to-point messages posted now and awaited only before the first borrowed expert runs,
   * so the native experts compute while the weights travel. The plan lists transfers in the same
   * order on every rank.
   */
  private Loans startLoans(
      DistributedTape tape, Plan plan, NativeExperts nativeExperts, NDManager manager) {
    int rank = tape.comm().rank();
    List<WeightLoan> lend = new ArrayList<>();
    List<PeerRecv> borrow = new ArrayList<>();
    List<Integer> borrowedExperts = new ArrayList<>();
    List<NDArray> template = nativeExperts.expert(0).tensors();
    for (WeightTransfer transfer : plan.transfers()) {
      if (transfer.owner() == rank) {
        for (NDArray tensor : nativeExperts.expert(localIndex(transfer.expert())).tensors()) {
          lend.add(new WeightLoan(transfer.helper(), tensor));
        }
      }
      if (transfer.helper() == rank) {
        for (NDArray tensor : template) {
          borrow.add(new PeerRecv(transfer.owner(), tensor.getShape(), Aten.dtype(tensor)));
        }
        borrowedExperts.add(transfer.expert());
      }
    }
    PendingExchange pending = tape.startWeightExchange(lend, borrow, manager);
    return new Loans(pending, borrowedExperts, template.size());
  }

  /**
   * Gathers each expert's rows from this rank's own tokens and the rows received, runs the GEMM
   * chains in {@link ExpertBatching}'s order, and returns each segment's output. The borrowed
   * weights are awaited just before the first borrowed expert; on a GPU only the device waits.
   */
  private NDArray[] computeExperts(
      int rank,
      NDArray x_TD,
      NDArray x_RD,
      DeviceRouting routing,
      NativeExperts nativeExperts,
      Loans loans) {
    NDArray[] outputs = new NDArray[routing.segments.size()];
    if (outputs.length == 0) {
      loans.await();
      return outputs;
    }
    NDArray source =
        x_RD.getShape().get(0) == 0 ? x_TD : NDArrays.concat(new NDList(x_TD, x_RD), 0);
    NDArray grouped_GD = source.get(routing.groupSource);
    NDArray[] bySegment = RowRanges.of(grouped_GD, routing.segmentOffsets, segmentRows(routing));
    Map<Integer, ExpertWeights> borrowed = null;
    for (int w = 0; w < routing.work.size(); w++) {
      ExpertWork work = routing.work.get(w);
      if (work.batched()) {
        computeBatch(
            work, routing, grouped_GD.get(routing.padIndex.get(w)), nativeExperts, outputs);
        continue;
      }
      int i = work.segments().getFirst();
      int expert = routing.segments.get(i).expert();
      boolean isNative = placement.nativeRank(expert) == rank;
      if (!isNative && borrowed == null) {
        borrowed = loans.await();
      }
      ExpertWeights weights =
          isNative ? nativeExperts.expert(localIndex(expert)) : weightsOf(rank, expert, borrowed);
      outputs[i] = weights.apply(bySegment[i]);
    }
    if (borrowed == null) {
      loans.await();
    }
    return outputs;
  }

  /** One batched GEMM chain; each segment's output is a view of the real rows of its expert. */
  private void computeBatch(
      ExpertWork batch,
      DeviceRouting routing,
      NDArray padded_PD,
      NativeExperts nativeExperts,
      NDArray[] outputs) {
    long rows = batch.paddedRows();
    NDArray x_EMD =
        padded_PD.reshape(new Shape(batch.localCount(), rows, padded_PD.getShape().get(1)));
    int first = batch.firstLocal();
    NDArray y_EMD = nativeExperts.batch(first, batch.localCount()).apply(x_EMD);
    NDArray y_PD = y_EMD.reshape(new Shape(batch.localCount() * rows, y_EMD.getShape().get(2)));
    List<Integer> segments = batch.segments();
    long[] starts = new long[segments.size()];
    long[] real = new long[segments.size()];
    for (int j = 0; j < starts.length; j++) {
      Segment s = routing.segments.get(segments.get(j));
      starts[j] = (localIndex(s.expert()) - first) * rows;
      real[j] = s.rows();
    }
    NDArray[] views = RowRanges.of(y_PD, starts, real);
    for (int j = 0; j < starts.length; j++) {
      outputs[segments.get(j)] = views[j];
    }
  }

  private ExpertWeights weightsOf(int rank, int expert, Map<Integer, ExpertWeights> borrowed) {
    ExpertWeights weights = borrowed.get(expert);
    if (weights == null) {
      throw new IllegalStateException(
          "the plan sends rows of expert "
              + expert
              + " to rank "
              + rank
              + ", which neither owns nor borrows it");
    }
    return weights;
  }

  private int localIndex(int expert) {
    return expert - placement.firstExpert(placement.nativeRank(expert));
  }

  private DispatchStats stats(
      Plan plan, ExpertWeights anyExpert, List<ExpertWork> work, long[] localCounts) {
    long spilled = 0;
    for (int e = 0; e < placement.experts(); e++) {
      for (var a : plan.assignments(e)) {
        if (a.rank() != placement.nativeRank(e)) {
          spilled += a.end() - a.start();
        }
      }
    }
    long bytesPerExpert = 0;
    for (NDArray t : anyExpert.tensors()) {
      bytesPerExpert += t.getShape().size() * Aten.dtype(t).getNumOfBytes();
    }
    return new DispatchStats(
        plan.epLoads(),
        plan.loads(),
        spilled,
        plan.transfers().size(),
        bytesPerExpert * plan.transfers().size(),
        work.stream().filter(ExpertWork::batched).mapToInt(w -> w.segments().size()).sum(),
        localCounts);
  }
}
