package ai.llep.comm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Checks the row splits of an all-to-all-v call before anything moves, so a bad call fails on its
 * own rank with a message naming the splits.
 */
public final class AllToAllCheck {
  private AllToAllCheck() {}

  /** The splits have one non-negative entry per rank, send all rows, and agree on self-traffic. */
  public static void validate(
      int rank, int worldSize, NDArray x, long[] sendRows, long[] recvRows) {
    check("sendRows", sendRows, worldSize);
    check("recvRows", recvRows, worldSize);
    Shape shape = x.getShape();
    if (shape.dimension() < 1) {
      throw new IllegalArgumentException("all-to-all-v needs an array with rows, got a scalar");
    }
    long sent = Arrays.stream(sendRows).sum();
    if (sent != shape.get(0)) {
      throw new IllegalArgumentException(
          "all-to-all-v sendRows "
              + Arrays.toString(sendRows)
              + " sum to "
              + sent
              + ", but the input has "
              + shape.get(0)
              + " rows");
    }
    if (sendRows[rank] != recvRows[rank]) {
      throw new IllegalArgumentException(
          "all-to-all-v: rank "
              + rank
              + " sends itself "
              + sendRows[rank]
              + " rows but expects "
              + recvRows[rank]);
    }
  }

  private static void check(String name, long[] rows, int worldSize) {
    if (rows == null || rows.length != worldSize) {
      throw new IllegalArgumentException(
          "all-to-all-v "
              + name
              + " needs "
              + worldSize
              + " entries, got "
              + (rows == null ? "null" : Arrays.toString(rows)));
    }
    for (long r : rows) {
      if (r < 0) {
        throw new IllegalArgumentException(
            "all-to-all-v " + name + " must be >= 0, got " + Arrays.toString(rows));
      }
    }
  }
}
