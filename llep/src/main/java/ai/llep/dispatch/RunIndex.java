package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.device.HostUpload;
import ai.llep.tape.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * Gather indices made of runs, built on the device from a table of one entry per run: run r puts
 * positions [from[r], from[r] + length[r]) of the source at the next length[r] positions of the
 * output. The host handles one entry per run (per expert and rank, never per token). All indices of
 * a layer are laid end to end and expanded together: one upload of the run table and one cumulative
 * sum, then each index is a view of the result, so the cost in device calls does not grow with the
 * number of indices.
 */
final class RunIndex {
  /** Global position where each run after the first starts. */
  private final List<Long> starts = new ArrayList<>();

  /** Source position minus output position, per run. */
  private final List<Long> shifts = new ArrayList<>();

  private final List<Long> offsets = new ArrayList<>();
  private final List<Long> totals = new ArrayList<>();
  private long end;

  /**
   * Adds one index.
   *
   * @param from first source position of each run, in output order
   * @param length length of each run (runs of length 0 are skipped)
   * @return its number, for {@link #build}
   */
  int add(long[] from, long[] length) {
    long offset = end;
    for (int i = 0; i < length.length; i++) {
      if (length[i] == 0) {
        continue;
      }
      if (!shifts.isEmpty()) {
        starts.add(end);
      }
      shifts.add(from[i] - end);
      end += length[i];
    }
    offsets.add(offset);
    totals.add(end - offset);
    return totals.size() - 1;
  }

  /** The indices, in the order added: int64 views on {@code manager}'s device. */
  List<NDArray> build(NDManager manager) {
    NDArray all = expand(manager);
    List<NDArray> indices = new ArrayList<>(totals.size());
    for (int i = 0; i < totals.size(); i++) {
      long offset = offsets.get(i);
      indices.add(
          offset == 0 && totals.get(i) == end
              ? all
              : all.get(slice(offset, offset + totals.get(i))));
    }
    return indices;
  }

  /** Every index end to end: position p of run r holds p - start(r) + from(r). */
  private NDArray expand(NDManager manager) {
    NDArray positions = manager.arange(0L, end, 1L, DataType.INT64);
    if (shifts.isEmpty()) {
      return positions;
    }
    if (shifts.size() == 1) {
      if (shifts.getFirst() == 0) {
        return positions;
      }
      try (NDArray shift = Scalars.fresh(shifts.getFirst())) {
        return positions.add(shift);
      }
    }
    long[] table = new long[starts.size() + shifts.size()];
    for (int i = 0; i < starts.size(); i++) {
      table[i] = starts.get(i);
    }
    for (int i = 0; i < shifts.size(); i++) {
      table[starts.size() + i] = shifts.get(i);
    }
    NDArray uploaded = HostUpload.of(manager, table);
    NDArray startIndex = uploaded.get(slice(0, starts.size()));
    NDArray shiftTable = uploaded.get(slice(starts.size(), table.length));
    NDArray marks =
        manager
            .zeros(new Shape(end), DataType.INT64)
            .put(startIndex, manager.ones(new Shape(starts.size()), DataType.INT64));
    return positions.add(shiftTable.take(marks.cumSum()));
  }

  static NDIndex slice(long from, long to) {
    return new NDIndex().addSliceDim(from, to);
  }
}
