package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.llep.tape.GradMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stacked experts a rank owns during one forward, whose per-expert views are made on first use
 * (so that they are in this forward's graph).
 *
 * <p>When the forward records gradients and runs {@link ExpertGemm#BATCHED}, the stack is cut once
 * per forward into the pieces the work needs (one piece per batch, one per other expert) by a
 * single split per tensor: the backward of a split joins all pieces' gradients in one step, where a
 * separate view per expert would each add a gradient the size of the whole stack.
 */
final class NativeExperts {
  private final int firstExpert;
  private final ExpertStack stack;
  private final List<NDArray>[] views;
  private List<NDList> pieces;
  private int[] pieceOf;
  private int[] pieceStart;

  @SuppressWarnings("unchecked")
  NativeExperts(int firstExpert, ExpertStack stack) {
    this.firstExpert = firstExpert;
    this.stack = stack;
    this.views = new List[stack.size()];
  }

  int firstExpert() {
    return firstExpert;
  }

  int count() {
    return stack.size();
  }

  ExpertStack stack() {
    return stack;
  }

  /**
   * Cuts the stack for {@code work} when the forward records gradients; call once, before any
   * expert or batch is used.
   */
  void prepare(List<ExpertWork> work, boolean recording) {
    if (!recording) {
      return;
    }
    int size = stack.size();
    boolean[] cut = new boolean[size + 1];
    Arrays.fill(cut, true);
    for (ExpertWork w : work) {
      for (int i = w.firstLocal() + 1; w.batched() && i < w.firstLocal() + w.localCount(); i++) {
        cut[i] = false;
      }
    }
    pieceOf = new int[size];
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      if (cut[i]) {
        starts.add(i);
      }
      pieceOf[i] = starts.size() - 1;
    }
    pieceStart = starts.stream().mapToInt(Integer::intValue).toArray();
    long[] points = starts.stream().skip(1).mapToLong(Integer::longValue).toArray();
    pieces = new ArrayList<>();
    for (NDArray tensor : stack.tensors()) {
      pieces.add(points.length == 0 ? new NDList(tensor) : tensor.split(points, 0));
    }
  }

  /**
   * Expert {@code local}'s tensors, in transfer order. A view of the stack made while autograd is
   * off (the forward of checkpointed experts) is not kept: a recompute under autograd needs views
   * in the graph.
   */
  List<NDArray> expert(int local) {
    if (views[local] != null) {
      return views[local];
    }
    List<NDArray> view = pieces == null ? stack.expert(local) : fromPieces(local);
    if (GradMode.isEnabled()) {
      views[local] = view;
    }
    return view;
  }

  /** Experts {@code [from, from + count)} of the stack, which {@link #prepare} kept together. */
  ExpertStack batch(int from, int count) {
    if (pieces == null) {
      return stack.range(from, from + count);
    }
    int piece = pieceOf[from];
    List<NDArray> tensors = new ArrayList<>();
    for (NDList cut : pieces) {
      tensors.add(cut.get(piece));
    }
    return new ExpertStack(tensors);
  }

  private List<NDArray> fromPieces(int local) {
    int piece = pieceOf[local];
    List<NDArray> tensors = new ArrayList<>();
    for (NDList cut : pieces) {
      NDArray block = cut.get(piece);
      tensors.add(
          block.getShape().get(0) == 1
              ? block.squeeze(0)
              : block.get(new NDIndex(local - pieceStart[piece])));
    }
    return tensors;
  }
}
