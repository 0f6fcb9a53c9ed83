package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.Communicator;
import ai.llep.device.HostUpload;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Plan;
import ai.llep.plan.Planner;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.Scalars;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one MoE layer's experts across ranks: count exchange, plan, permute, dispatch, expert
 * compute on native and borrowed experts, combine, un-permute and the routing-weighted sum. With a
 * standard-EP planner this is plain expert parallelism; with the least-loaded planner, slots and
 * the weights of overloaded experts move to idle ranks. Every cut goes through the tape, so the
 * backward is exact across ranks. What an expert computes is the model's {@link ExpertFunction};
 * the dispatcher moves its rows and its tensors without looking inside them. One rank that computes
 * every expert in one grouped call needs none of this: {@link SingleRankDispatch}.
 */
public final class MoeDispatcher {
  /**
   * Default largest expert, in rows, that runs in a batch with its stacked neighbours: below about
   * this many rows a GPU finishes an expert's GEMMs faster than the host launches them.
   */
  public static final long DEFAULT_BATCH_ROWS = 1024;

  private final ExpertPlacement placement;
  private final Planner planner;
  private final ExpertFunction experts;
  private final DispatchPhases phases;
  private final long batchRows;
  private final ExpertGemm gemm;
  private final boolean recomputeExperts;
  private final FrozenWeightCache.Layer cache;

  /** A dispatcher with the default batching, {@link ExpertGemm#AUTO}, and no phase listener. */
  public MoeDispatcher(ExpertPlacement placement, Planner planner, ExpertFunction experts) {
    this(placement, planner, experts, DispatchPhases.NONE, DEFAULT_BATCH_ROWS, ExpertGemm.AUTO);
  }

  /**
   * @param experts what each expert computes, and the tensors it holds
   * @param phases told as each phase of a forward starts, for timing them
   * @param batchRows largest expert, in rows, that runs in one batched GEMM chain with consecutive
   *     native experts ({@link ExpertGemm#BATCHED}); 0 runs every expert alone
   * @param gemm how the experts' GEMMs run
   */
  public MoeDispatcher(
      ExpertPlacement placement,
      Planner planner,
      ExpertFunction experts,
      DispatchPhases phases,
      long batchRows,
      ExpertGemm gemm) {
    if (batchRows < 0) {
      throw new IllegalArgumentException("batchRows must be >= 0, got " + batchRows);
    }
    if (placement == null || planner == null || experts == null || phases == null || gemm == null) {
      throw new IllegalArgumentException(
          "a dispatcher needs a placement, planner, experts, phases and gemm");
    }
    this(placement, planner, experts, phases, batchRows, gemm, false, null);
  }

  private MoeDispatcher(
      ExpertPlacement placement,
      Planner planner,
      ExpertFunction experts,
      DispatchPhases phases,
      long batchRows,
      ExpertGemm gemm,
      boolean recomputeExperts,
      FrozenWeightCache.Layer cache) {
    this.placement = placement;
    this.planner = planner;
    this.experts = experts;
    this.phases = phases;
    this.batchRows = batchRows;
    this.gemm = gemm;
    this.recomputeExperts = recomputeExperts;
    this.cache = cache;
  }

  /** This dispatcher telling {@code listener} its phases. */
  public MoeDispatcher withPhases(DispatchPhases listener) {
    return new MoeDispatcher(
        placement, planner, experts, listener, batchRows, gemm, recomputeExperts, cache);
  }

  /**
   * This dispatcher keeping the frozen tensors ({@link ExpertFunction#frozen}) of the experts this
   * rank borrows in {@code layerCache} across steps, so that a later step lends them again only if
   * the helper no longer holds them.
   */
  public MoeDispatcher withCache(FrozenWeightCache.Layer layerCache) {
    return new MoeDispatcher(
        placement, planner, experts, phases, batchRows, gemm, recomputeExperts, layerCache);
  }

  /**
   * This dispatcher with the expert computation checkpointed when the tape records: the forward
   * keeps each rank's expert inputs (its own rows and the rows it received, which the tape keeps
   * anyway) and the experts' outputs, but none of the expert function's intermediates; the backward
   * recomputes the experts, batched or grouped as in the forward, from the kept rows and weights
   * (borrowed ones included), with no communication.
   */
  public MoeDispatcher recomputingExperts() {
    return new MoeDispatcher(placement, planner, experts, phases, batchRows, gemm, true, cache);
  }

  public ExpertPlacement placement() {
    return placement;
  }

  public ExpertFunction experts() {
    return experts;
  }

  /**
   * {@link #forward(DistributedTape, NDArray, NDArray, NDArray, ExpertStack)} with the expert ids
   * on the host; they are checked here and copied to the device.
   */
  public DispatchResult forward(
      DistributedTape tape,
      NDArray x_TD,
      long[] experts_S,
      NDArray weights_TK,
      ExpertStack nativeExperts) {
    checkExpertIds(tape.comm().rank(), experts_S);
    NDArray ids_S = HostUpload.of(x_TD.getManager(), experts_S);
    return forward(tape, x_TD, ids_S, weights_TK, nativeExperts);
  }

  /**
   * @param x_TD this rank's tokens (any number, including none)
   * @param experts_S the expert of each slot, token-major: {@code T * K} int64 ids in [0, N) on the
   *     tokens' device (a router's top-k); only their per-expert counts ever reach the host
   * @param weights_TK routing weight of each slot, in the graph (the router's gradient flows here)
   * @param nativeExperts this rank's experts, stacked in expert order, with the tensors of {@link
   *     ExpertFunction#expertShapes}
   */
  public DispatchResult forward(
      DistributedTape tape,
      NDArray x_TD,
      NDArray experts_S,
      NDArray weights_TK,
      ExpertStack nativeExperts) {
    Communicator comm = tape.comm();
    int rank = comm.rank();
    NativeExperts natives = new NativeExperts(placement.firstExpert(rank), nativeExperts);
    checkInputs(comm, x_TD, experts_S, weights_TK, nativeExperts);
    NDManager manager = x_TD.getManager();
    long tokens = x_TD.getShape().get(0);
    long hidden = x_TD.getShape().get(1);
    int topK = Math.toIntExact(weights_TK.getShape().get(1));
    long slots = tokens * topK;
    boolean grouped = gemm.groups(x_TD, nativeExperts);
    if (comm.worldSize() == 1 && grouped && slots > 0) {
      return SingleRankDispatch.forward(
          tape, x_TD, experts_S, weights_TK, nativeExperts, experts, recomputeExperts, phases);
    }

    phases.enter("count");
    long[][] counts = exchangeCounts(comm, manager, localCounts(experts_S));
    phases.enter("plan");
    // Queued after the counts' copy to the host, so the device sorts while the host plans.
    NDArray byExpert_S = slotsByExpert(manager, experts_S, slots);
    Plan plan = planner.plan(counts, placement);
    DeviceRouting routing =
        DeviceRouting.of(
            manager,
            counts,
            plan,
            rank,
            byExpert_S,
            topK,
            natives.firstExpert(),
            grouped ? 0 : natives.count(),
            grouped ? 0 : batchRows);
    natives.prepare(routing.work, tape.recording() && !grouped);

    phases.enter("dispatch");
    // Own rows reach the experts directly and other rows through the all-to-all; the cuts on both
    // sides of the experts make the backward walk each part of the graph once.
    NDArray x_cut = tape.cut(x_TD, "input");
    NDArray x_SD = x_cut.get(routing.remoteSendTokens);
    NDArray x_RD = tape.allToAllV(x_SD, routing.remoteSendRows, routing.remoteRecvRows, "dispatch");
    phases.enter("weights");
    Loans loans = Loans.start(tape, plan, natives, experts, this::localIndex, manager, cache);
    phases.enter("experts");
    ExpertOutputs outputs =
        computeExperts(tape, rank, x_cut, x_RD, routing, natives, loans, grouped);
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
        y_TD, PendingStats.of(stats(plan, loans, routing, grouped, counts[rank])));
  }

  /**
   * Runs the experts on the rows this rank computes; the borrowed weights are always awaited (every
   * rank takes part in the exchange). When recording, the outputs are cut once, in grouped order;
   * with {@link #recomputingExperts} that cut is a checkpoint whose backward runs the experts
   * again.
   */
  private ExpertOutputs computeExperts(
      DistributedTape tape,
      int rank,
      NDArray x_TD,
      NDArray x_RD,
      DeviceRouting routing,
      NativeExperts natives,
      Loans loans,
      boolean grouped) {
    if (routing.segments.isEmpty()) {
      loans.await();
      return new ExpertOutputs(new NDArray[0], null);
    }
    NDArray y_GD;
    if (recomputeExperts && tape.recording()) {
      y_GD =
          tape.checkpoint(
              new NDList(x_TD, x_RD),
              (inner, rows) ->
                  runExperts(rank, rows.get(0), rows.get(1), routing, natives, loans, grouped)
                      .inGroupedOrder(),
              "experts");
    } else {
      ExpertOutputs outputs = runExperts(rank, x_TD, x_RD, routing, natives, loans, grouped);
      if (!tape.recording() && outputs.grouped_GD() == null) {
        return outputs;
      }
      y_GD = tape.cut(outputs.inGroupedOrder(), "experts");
    }
    return new ExpertOutputs(
        RowRanges.of(y_GD, routing.segmentOffsets, segmentRows(routing)), y_GD);
  }

  /**
   * Gathers each expert's rows from this rank's own tokens and the rows received and runs the
   * experts: one grouped call (its output in grouped order), or batched work items (one output per
   * segment).
   */
  private ExpertOutputs runExperts(
      int rank,
      NDArray x_TD,
      NDArray x_RD,
      DeviceRouting routing,
      NativeExperts natives,
      Loans loans,
      boolean grouped) {
    NDArray source =
        x_RD.getShape().get(0) == 0 ? x_TD : NDArrays.concat(new NDList(x_TD, x_RD), 0);
    NDArray grouped_GD = source.get(routing.groupSource);
    ExpertCompute compute = new ExpertCompute(placement, experts, rank);
    if (grouped) {
      return new ExpertOutputs(null, compute.grouped(grouped_GD, routing, natives, loans));
    }
    NDArray[] bySegment = compute.batched(grouped_GD, routing, natives, loans);
    loans.await();
    return new ExpertOutputs(bySegment, null);
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
   * Each segment's output rows, and when one tensor holds them all in grouped order, that tensor:
   * when recording it is the cut that the un-permute (own rows) and the combine (other ranks' rows)
   * both read, which hands their summed gradient to the experts in one backward call, where two
   * would each run every expert's backward GEMMs.
   */
  private record ExpertOutputs(NDArray[] bySegment, NDArray grouped_GD) {
    NDArray inGroupedOrder() {
      return grouped_GD != null ? grouped_GD : concat(new NDList(bySegment));
    }
  }

  /** The outputs other ranks' rows produced, in their receive order: one concatenation of views. */
  private static NDArray returnedRows(ExpertOutputs outputs, DeviceRouting routing, NDArray x_TD) {
    List<DeviceRouting.OutputRun> returned = routing.remoteReturnRuns;
    if (returned.isEmpty()) {
      // Through the binding: DJL's own zeros abort the JVM on bfloat16.
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

  static long[] segmentRows(DeviceRouting routing) {
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
  static NDArray slotsByExpert(NDManager manager, NDArray experts_S, long slots) {
    if (slots == 0) {
      return manager.create(new long[0]);
    }
    NDArray slotIndex = manager.arange(0L, slots, 1L, DataType.INT64);
    try (NDArray stride = Scalars.fresh(slots)) {
      return experts_S.mul(stride).add(slotIndex).argSort();
    }
  }

  /** This rank's slots per expert, counted on the device (no copy to the host, no sync). */
  private NDArray localCounts(NDArray experts_S) {
    return slotsPerExpert(experts_S, placement.experts());
  }

  /** Slots per expert of {@code experts_S} (int64 ids in [0, experts)), counted on the device. */
  static NDArray slotsPerExpert(NDArray experts_S, int experts) {
    return experts_S.oneHot(experts, DataType.INT64).sum(new int[] {0});
  }

  private void checkInputs(
      Communicator comm,
      NDArray x_TD,
      NDArray experts_S,
      NDArray weights_TK,
      ExpertStack nativeExperts) {
    if (comm.worldSize() != placement.ranks()) {
      throw new IllegalArgumentException(
          "the placement is for " + placement.ranks() + " ranks, the job has " + comm.worldSize());
    }
    if (nativeExperts.size() != placement.expertsPerRank()) {
      throw new IllegalArgumentException(
          "rank "
              + comm.rank()
              + " holds "
              + nativeExperts.size()
              + " experts, the placement gives it "
              + placement.expertsPerRank());
    }
    if (!nativeExperts.holds(experts.expertShapes())) {
      throw new IllegalArgumentException(
          "rank "
              + comm.rank()
              + ": the stacked experts are "
              + nativeExperts.tensors().stream().map(NDArray::getShape).toList()
              + ", the expert function declares per-expert tensors "
              + experts.expertShapes());
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

  private int localIndex(int expert) {
    return expert - placement.firstExpert(placement.nativeRank(expert));
  }

  private DispatchStats stats(
      Plan plan, Loans loans, DeviceRouting routing, boolean grouped, long[] localCounts) {
    long spilled = 0;
    for (int e = 0; e < placement.experts(); e++) {
      for (var a : plan.assignments(e)) {
        if (a.rank() != placement.nativeRank(e)) {
          spilled += a.end() - a.start();
        }
      }
    }
    return new DispatchStats(
        plan.epLoads(),
        plan.loads(),
        spilled,
        plan.transfers().size(),
        loans.bytesMoved(),
        routing.work.stream().filter(ExpertWork::batched).mapToInt(w -> w.segments().size()).sum(),
        grouped ? routing.segments.size() : 0,
        localCounts,
        loans.frozenBytesMoved(),
        loans.cacheHits());
  }
}
