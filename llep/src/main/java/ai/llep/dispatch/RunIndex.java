package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A gather index made of runs, built on the device from a table of one entry per run: run r puts
 * positions [from[r], from[r] + length[r]) of the source at the next length[r] positions of the
 * output. The host handles one entry per run (per expert and rank, never per token); the device
 * expands them with a cumulative sum.
 */
final class RunIndex {
  private RunIndex() {}

  /**
   * @param from first source position of each run, in output order
   * @param length length of each run (runs of length 0 are skipped)
   * @return the source position of each output position, int64 on {@code manager}'s device
   */
  static NDArray build(NDManager manager, long[] from, long[] length) {
    int runs = 0;
    long total = 0;
    for (long l : length) {
      if (l > 0) {
        runs++;
        total += l;
      }
    }
    if (runs == 0) {
      return manager.create(new long[0]);
    }
    long[] starts = new long[runs - 1];
    long[] shifts = new long[runs];
    long next = 0;
    int r = 0;
    for (int i = 0; i < length.length; i++) {
      if (length[i] == 0) {
        continue;
      }
      if (r > 0) {
        starts[r - 1] = next;
      }
      shifts[r++] = from[i] - next;
      next += length[i];
    }
    NDArray positions = manager.arange(0L, total, 1L, DataType.INT64);
    if (runs == 1) {
      return shifts[0] == 0 ? positions : positions.add(shifts[0]);
    }
    long[] table = new long[starts.length + shifts.length];
    System.arraycopy(starts, 0, table, 0, starts.length);
    System.arraycopy(shifts, 0, table, starts.length, shifts.length);
    NDArray uploaded = manager.create(table);
    NDArray startIndex = uploaded.get("0:{}", starts.length);
    NDArray shiftTable = uploaded.get("{}:", starts.length);
    NDArray marks =
        manager
            .zeros(new Shape(total), DataType.INT64)
            .put(startIndex, manager.ones(new Shape(starts.length), DataType.INT64));
    return positions.add(shiftTable.take(marks.cumSum()));
  }
}
