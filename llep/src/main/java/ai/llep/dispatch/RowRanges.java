package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Views of disjoint row ranges of one tensor, made by a single split.
 *
 * <p>NOTE: in a graph, a slice view's backward makes a zero gradient the size of the whole sliced
 * tensor and writes the slice's gradient into it; autograd then adds one such full-size gradient
 * per view. With one view per expert that is an O(experts x rows) cost in the backward (seen: 180
 * ms of a 450 ms forward-backward of a 128-expert layer on one GPU). The backward of one split
 * joins every piece's gradient in one step instead.
 */
final class RowRanges {
  private RowRanges() {}

  /**
   * Rows {@code [starts[i], starts[i] + rows[i])} of {@code x_RD} for each i. The ranges must not
   * overlap; any order is accepted, empty ranges too.
   */
  static NDArray[] of(NDArray x_RD, long[] starts, long[] rows) {
    if (starts.length != rows.length) {
      throw new IllegalArgumentException(
          starts.length + " range starts for " + rows.length + " range lengths");
    }
    long total = x_RD.getShape().get(0);
    Integer[] order = new Integer[starts.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // An empty range sorts before a range that starts where it does, so that it overlaps nothing.
    Arrays.sort(
        order,
        (a, b) ->
            starts[a] != starts[b]
                ? Long.compare(starts[a], starts[b])
                : Long.compare(rows[a], rows[b]));
    List<Long> boundaries = new ArrayList<>();
    int[] piece = new int[starts.length];
    long cursor = 0;
    for (int i : order) {
      if (starts[i] < cursor || rows[i] < 0 || starts[i] + rows[i] > total) {
        throw new IllegalArgumentException(
            "row range ["
                + starts[i]
                + ", "
                + (starts[i] + rows[i])
                + ") overlaps another or lies outside [0, "
                + total
                + ")");
      }
      if (starts[i] > cursor) {
        boundaries.add(starts[i]);
      }
      piece[i] = boundaries.size();
      cursor = starts[i] + rows[i];
      boundaries.add(cursor);
    }
    NDList pieces = split(x_RD, boundaries);
    NDArray[] views = new NDArray[starts.length];
    for (int i = 0; i < views.length; i++) {
      views[i] = pieces.get(piece[i]);
    }
    return views;
  }

  /** Pieces [0, b0), [b0, b1), ..., [bLast, total); equal boundaries give empty pieces. */
  private static NDList split(NDArray x, List<Long> boundaries) {
    if (boundaries.isEmpty()) {
      return new NDList(x);
    }
    return x.split(boundaries.stream().mapToLong(Long::longValue).toArray(), 0);
  }
}
