package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.tape.DistributedTape;
import java.util.Arrays;

/**
 * One rank that computes every expert itself in one grouped call: nothing to plan and nobody to
 * exchange with, so the whole dispatch stays on the device and the host never waits for it. The
 * slots are sorted by (expert, slot) as in the planned dispatch, the grouped GEMM's offsets are the
 * running sum of the per-expert counts, each row's expert is the sorted ids, and the outputs return
 * to slot order through the inverse of the sort. The rows and the arithmetic are those of {@link
 * MoeDispatcher}'s planned path on one rank; only the counts stay on the device until the layer's
 * statistics are read ({@link PendingStats}).
 */
final class SingleRankDispatch {
  private SingleRankDispatch() {}

  /**
   * @param experts_S the expert of each slot, token-major, int64 on the tokens' device
   * @param recompute checkpoint the experts when the tape records: keep the layer's tokens, run the
   *     gather and the experts again in the backward
   */
  static DispatchResult forward(
      DistributedTape tape,
      NDArray x_TD,
      NDArray experts_S,
      NDArray weights_TK,
      ExpertStack stack,
      ExpertFunction function,
      boolean recompute,
      DispatchPhases phases) {
    NDManager manager = x_TD.getManager();
    long tokens = x_TD.getShape().get(0);
    long hidden = x_TD.getShape().get(1);
    int topK = Math.toIntExact(weights_TK.getShape().get(1));
    long slots = tokens * topK;
    int experts = stack.size();

    phases.enter("plan");
    NDArray counts_E = MoeDispatcher.slotsPerExpert(experts_S, experts);
    NDArray order_S = MoeDispatcher.slotsByExpert(manager, experts_S, slots);
    NDArray offsets_E = Aten.cast(counts_E.cumSum(0), DataType.INT32);
    NDArray expertOfRow_G = experts_S.take(order_S);
    NDArray tokenOfRow_G = DeviceRouting.tokenOfSlot(manager, tokens, topK).take(order_S);

    phases.enter("experts");
    NDArray y_GD;
    if (recompute && tape.recording()) {
      y_GD =
          tape.checkpoint(
              new NDList(tape.cut(x_TD, "input")),
              (inner, rows) ->
                  function.forward(
                      ExpertGroup.grouped(
                          rows.head().get(tokenOfRow_G), stack, offsets_E, expertOfRow_G)),
              "experts");
    } else {
      y_GD =
          function.forward(
              ExpertGroup.grouped(x_TD.get(tokenOfRow_G), stack, offsets_E, expertOfRow_G));
    }

    phases.enter("unpermute");
    NDArray rowOfSlot_S =
        manager
            .zeros(new Shape(slots), DataType.INT64)
            .put(order_S, manager.arange(0L, slots, 1L, DataType.INT64));
    NDArray y_TKD = y_GD.get(rowOfSlot_S).reshape(new Shape(tokens, topK, hidden));
    NDArray y_TD = weights_TK.expandDims(1).batchMatMul(y_TKD).reshape(new Shape(tokens, hidden));
    phases.enter("done");
    return new DispatchResult(
        y_TD, PendingStats.fromDeviceCounts(counts_E, counts -> stats(slots, counts)));
  }

  private static DispatchStats stats(long slots, long[] counts_E) {
    int grouped = (int) Arrays.stream(counts_E).filter(c -> c > 0).count();
    return new DispatchStats(new long[] {slots}, new long[] {slots}, 0, 0, 0, 0, grouped, counts_E);
  }
}
