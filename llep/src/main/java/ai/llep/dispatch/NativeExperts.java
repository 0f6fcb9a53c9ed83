package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.llep.tape.GradMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The experts a rank owns during one forward: a list of separate experts, or a stack whose
 * per-expert views are made on first use (so that they are in this forward's graph).
 *
 * <p>When the forward records gradients, the stack is cut once per forward into the pieces the work
 * needs (one piece per batch, one per other expert) by a single split per tensor: the backward of a
 * split joins all pieces' gradients in one step, where a separate view per expert would each add a
 * gradient the size of the whole stack.
 */
final class NativeExperts {
  private final int firstExpert;
  private final List<ExpertWeights> list;
  private final ExpertStack stack;
  private final ExpertWeights[] views;
  private List<NDList> pieces;
  private int[] pieceOf;
  private int[] pieceStart;

  private NativeExperts(int firstExpert, List<ExpertWeights> list, ExpertStack stack) {
    this.firstExpert = firstExpert;
    this.list = list;
    this.stack = stack;
    this.views = stack == null ? null : new ExpertWeights[stack.size()];
  }

  static NativeExperts of(int firstExpert, List<ExpertWeights> experts) {
    return new NativeExperts(firstExpert, experts, null);
  }

  static NativeExperts of(int firstExpert, ExpertStack stack) {
    return new NativeExperts(firstExpert, null, stack);
  }

  int firstExpert() {
    return firstExpert;
  }

  int count() {
    return stack == null ? list.size() : stack.size();
  }

  /** How many experts can run in batches: the stack's size, or 0 for separate experts. */
  int stackedCount() {
    return stack == null ? 0 : stack.size();
  }

  /**
   * Cuts the stack for {@code work} when the forward records gradients; call once, before any
   * expert or batch is used.
   */
  void prepare(List<ExpertWork> work, boolean recording) {
    if (stack == null || !recording) {
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
      pieces.add(tensor.split(points, 0));
    }
  }

  /**
   * Expert {@code local}'s weights. A view of the stack made while autograd is off (the forward of
   * checkpointed experts) is not kept: a recompute under autograd needs views in the graph.
   */
  ExpertWeights expert(int local) {
    if (stack == null) {
      return list.get(local);
    }
    if (views[local] != null) {
      return views[local];
    }
    ExpertWeights view = pieces == null ? stack.expert(local) : fromPieces(local);
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
    return ExpertStack.of(tensors);
  }

  private ExpertWeights fromPieces(int local) {
    int piece = pieceOf[local];
    List<NDArray> tensors = new ArrayList<>();
    for (NDList cut : pieces) {
      NDArray block = cut.get(piece);
      tensors.add(
          block.getShape().get(0) == 1
              ? block.squeeze(0)
              : block.get(new NDIndex(local - pieceStart[piece])));
    }
    return ExpertWeights.fromTensors(tensors);
  }
}
