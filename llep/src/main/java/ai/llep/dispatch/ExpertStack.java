package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Experts stored as stacked tensors: tensor i of expert j is slice {@code [j]} of {@code
 * tensors().get(i)}, in an {@link ExpertFunction}'s transfer order. A range of consecutive experts
 * is a stack of views, with no copy of the weights.
 */
public record ExpertStack(List<NDArray> tensors) {
  public ExpertStack {
    tensors = List.copyOf(tensors);
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException("an expert stack needs at least one tensor");
    }
    long experts = -1;
    for (int i = 0; i < tensors.size(); i++) {
      Shape shape = tensors.get(i).getShape();
      if (shape.dimension() < 1 || (experts >= 0 && shape.get(0) != experts)) {
        throw new IllegalArgumentException(
            "stacked expert tensor "
                + i
                + " must be [E, ...] with the E of the others ("
                + experts
                + "), got "
                + shape);
      }
      experts = shape.get(0);
    }
    if (experts < 1) {
      throw new IllegalArgumentException("an expert stack needs at least one expert");
    }
  }

  /** Number of experts E. */
  public int size() {
    return Math.toIntExact(tensors.getFirst().getShape().get(0));
  }

  /** Experts {@code [from, to)} as a stack of views. */
  public ExpertStack range(int from, int to) {
    checkRange(from, to);
    if (from == 0 && to == size()) {
      return this;
    }
    NDIndex experts = RunIndex.slice(from, to);
    List<NDArray> views = new ArrayList<>(tensors.size());
    for (NDArray tensor : tensors) {
      views.add(tensor.get(experts));
    }
    return new ExpertStack(views);
  }

  /**
   * Expert {@code i}'s tensors as views of the stacked ones. Made under a recording grad mode, the
   * views are in the graph, so gradients through them reach the stacked tensors.
   */
  public List<NDArray> expert(int i) {
    checkRange(i, i + 1);
    NDIndex at = new NDIndex(i);
    List<NDArray> views = new ArrayList<>(tensors.size());
    for (NDArray tensor : tensors) {
      views.add(tensor.get(at));
    }
    return views;
  }

  /** Whether expert {@code i}'s tensors have {@code shapes}, in order. */
  boolean holds(List<Shape> shapes) {
    if (shapes.size() != tensors.size()) {
      return false;
    }
    for (int i = 0; i < shapes.size(); i++) {
      if (!tensors.get(i).getShape().slice(1).equals(shapes.get(i))) {
        return false;
      }
    }
    return true;
  }

  private void checkRange(int from, int to) {
    if (from < 0 || to > size() || from >= to) {
      throw new IllegalArgumentException(
          "experts [" + from + ", " + to + ") are outside the stack of " + size());
    }
  }
}
