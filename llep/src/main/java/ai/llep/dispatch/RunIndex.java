package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Gather indices made of runs, built on the device from a table of one entry per run: run r puts
 * positions [from[r], from[r] + length[r]) of the source at the next length[r] positions of the
 * output. The host handles one entry per run (per expert and rank, never per token) and uploads the
 * tables of all indices of a layer at once; the device expands them with a cumulative sum.
 */
final class RunIndex {
  private final List<long[]> starts = new ArrayList<>();
  private final List<long[]> shifts = new ArrayList<>();
  private final List<Long> totals = new ArrayList<>();

  /**
   * Adds one index.
   *
   * @param from first source position of each run, in output order
   * @param length length of each run (runs of length 0 are skipped)
   * @return its number, for {@link #build}
   */
  int add(long[] from, long[] length) {
    int runs = 0;
    long total = 0;
    for (long l : length) {
      if (l > 0) {
        runs++;
        total += l;
      }
    }
    long[] start = new long[Math.max(0, runs - 1)];
    long[] shift = new long[runs];
    long next = 0;
    int r = 0;
    for (int i = 0; i < length.length; i++) {
      if (length[i] == 0) {
        continue;
      }
      if (r > 0) {
        start[r - 1] = next;
      }
      shift[r++] = from[i] - next;
      next += length[i];
    }
    starts.add(start);
    shifts.add(shift);
    totals.add(total);
    return totals.size() - 1;
  }

  /** The indices, in the order added: int64 on {@code manager}'s device, one upload in all. */
  List<NDArray> build(NDManager manager) {
    int size = 0;
    for (int i = 0; i < totals.size(); i++) {
      size += starts.get(i).length + shifts.get(i).length;
    }
    long[] table = new long[size];
    int at = 0;
    for (int i = 0; i < totals.size(); i++) {
      System.arraycopy(starts.get(i), 0, table, at, starts.get(i).length);
      at += starts.get(i).length;
      System.arraycopy(shifts.get(i), 0, table, at, shifts.get(i).length);
      at += shifts.get(i).length;
    }
    NDArray uploaded = size == 0 ? null : manager.create(table);
    List<NDArray> indices = new ArrayList<>();
    at = 0;
    for (int i = 0; i < totals.size(); i++) {
      long[] start = starts.get(i);
      long[] shift = shifts.get(i);
      long total = totals.get(i);
      NDArray positions = manager.arange(0L, total, 1L, DataType.INT64);
      if (shift.length == 0 || (shift.length == 1 && shift[0] == 0)) {
        indices.add(positions);
      } else if (shift.length == 1) {
        indices.add(positions.add(shift[0]));
      } else {
        NDArray startIndex = uploaded.get(slice(at, at + start.length));
        NDArray shiftTable =
            uploaded.get(slice(at + start.length, at + start.length + shift.length));
        NDArray marks =
            manager
                .zeros(new Shape(total), DataType.INT64)
                .put(startIndex, manager.ones(new Shape(start.length), DataType.INT64));
        indices.add(positions.add(shiftTable.take(marks.cumSum())));
      }
      at += start.length + shift.length;
    }
    return indices;
  }

  static NDIndex slice(long from, long to) {
    return new NDIndex().addSliceDim(from, to);
  }
}
