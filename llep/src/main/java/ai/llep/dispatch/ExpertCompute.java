package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs the {@link ExpertFunction} on the rows a rank computes in one forward, native and borrowed
 * experts alike, either as {@link ExpertGemm#BATCHED} work items or as one {@link
 * ExpertGemm#GROUPED} group. The input of both is the grouped rows: every expert's rows back to
 * back in expert order, one gather from this rank's own tokens and the rows received.
 */
final class ExpertCompute {
  private final ExpertPlacement placement;
  private final ExpertFunction function;
  private final int rank;

  ExpertCompute(ExpertPlacement placement, ExpertFunction function, int rank) {
    this.placement = placement;
    this.function = function;
    this.rank = rank;
  }

  /**
   * Each segment's output, computed by the work items in {@link ExpertBatching}'s order: batches of
   * neighbouring native experts first, then single experts, the borrowed weights awaited just
   * before the first borrowed expert.
   */
  NDArray[] batched(NDArray grouped_GD, DeviceRouting routing, NativeExperts natives, Loans loans) {
    NDArray[] outputs = new NDArray[routing.segments.size()];
    NDArray[] bySegment =
        RowRanges.of(grouped_GD, routing.segmentOffsets, MoeDispatcher.segmentRows(routing));
    for (int w = 0; w < routing.work.size(); w++) {
      ExpertWork work = routing.work.get(w);
      if (work.batched()) {
        batch(work, routing, grouped_GD.get(routing.padIndex.get(w)), natives, outputs);
        continue;
      }
      int i = work.segments().getFirst();
      int expert = routing.segments.get(i).expert();
      List<NDArray> weights =
          placement.nativeRank(expert) == rank
              ? natives.expert(localIndex(expert))
              : borrowedWeights(expert, loans.await());
      outputs[i] = function.forward(ExpertGroup.single(bySegment[i], weights));
    }
    return outputs;
  }

  /** One batched GEMM chain; each segment's output is a view of the real rows of its expert. */
  private void batch(
      ExpertWork batch,
      DeviceRouting routing,
      NDArray padded_PD,
      NativeExperts natives,
      NDArray[] outputs) {
    long rows = batch.paddedRows();
    NDArray x_EMD =
        padded_PD.reshape(new Shape(batch.localCount(), rows, padded_PD.getShape().get(1)));
    int first = batch.firstLocal();
    NDArray y_EMD =
        function.forward(ExpertGroup.batched(x_EMD, natives.batch(first, batch.localCount())));
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

  /**
   * All segments' outputs in grouped order from one grouped call over a stack of every expert in
   * expert order: this rank's own stack as it is, and when it borrows, the borrowed experts below
   * and above its range concatenated around it. NOTE: that concatenation copies the whole native
   * stack and the borrowed weights once per forward on a rank that borrows ((M + B) experts' bytes;
   * its backward splits the gradient the same way); a rank that borrows nothing copies no weight.
   * The borrowed weights are awaited before the call, so on a helper the native experts no longer
   * compute while they travel.
   */
  NDArray grouped(NDArray grouped_GD, DeviceRouting routing, NativeExperts natives, Loans loans) {
    Map<Integer, List<NDArray>> borrowed = new TreeMap<>(loans.await());
    int first = natives.firstExpert();
    int end = first + natives.count();
    List<Integer> order = new ArrayList<>();
    borrowed.keySet().stream().filter(e -> e < first).forEach(order::add);
    for (int e = first; e < end; e++) {
      order.add(e);
    }
    borrowed.keySet().stream().filter(e -> e >= end).forEach(order::add);
    ExpertStack stack = borrowed.isEmpty() ? natives.stack() : withBorrowed(natives, borrowed);
    long[] rows_E = new long[order.size()];
    for (Segment s : routing.segments) {
      int at = order.indexOf(s.expert());
      if (at < 0) {
        throw notHeld(s.expert());
      }
      rows_E[at] = s.rows();
    }
    return function.forward(ExpertGroup.grouped(grouped_GD, stack, rows_E));
  }

  private static ExpertStack withBorrowed(
      NativeExperts natives, Map<Integer, List<NDArray>> borrowed) {
    int first = natives.firstExpert();
    int end = first + natives.count();
    List<NDArray> tensors = new ArrayList<>();
    List<NDArray> stacked = natives.stack().tensors();
    for (int i = 0; i < stacked.size(); i++) {
      NDList parts = new NDList();
      for (Map.Entry<Integer, List<NDArray>> e : borrowed.entrySet()) {
        if (e.getKey() < first) {
          parts.add(e.getValue().get(i).expandDims(0));
        }
      }
      parts.add(stacked.get(i));
      for (Map.Entry<Integer, List<NDArray>> e : borrowed.entrySet()) {
        if (e.getKey() >= end) {
          parts.add(e.getValue().get(i).expandDims(0));
        }
      }
      tensors.add(NDArrays.concat(parts, 0));
    }
    return new ExpertStack(tensors);
  }

  private List<NDArray> borrowedWeights(int expert, Map<Integer, List<NDArray>> borrowed) {
    List<NDArray> weights = borrowed.get(expert);
    if (weights == null) {
      throw notHeld(expert);
    }
    return weights;
  }

  private IllegalStateException notHeld(int expert) {
    return new IllegalStateException(
        "the plan sends rows of expert "
            + expert
            + " to rank "
            + rank
            + ", which neither owns nor borrows it");
  }

  private int localIndex(int expert) {
    return expert - placement.firstExpert(placement.nativeRank(expert));
  }
}
