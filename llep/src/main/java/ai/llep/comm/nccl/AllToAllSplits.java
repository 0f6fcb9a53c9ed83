package ai.llep.comm.nccl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.AllToAllCheck;
import java.util.Arrays;

/**
 * The validated row splits of one all-to-all-v call, with element offsets into the input and the
 * result (NCCL counts elements, not bytes or rows).
 */
record AllToAllSplits(
    long[] sendRows, long[] recvRows, long rowElements, Shape rowShape, long resultRows) {

  static AllToAllSplits of(int rank, int worldSize, NDArray x, long[] sendRows, long[] recvRows) {
    AllToAllCheck.validate(rank, worldSize, x, sendRows, recvRows);
    Shape shape = x.getShape();
    Shape rowShape = shape.slice(1);
    return new AllToAllSplits(
        sendRows.clone(),
        recvRows.clone(),
        rowShape.size(),
        rowShape,
        Arrays.stream(recvRows).sum());
  }

  Shape resultShape() {
    return new Shape(resultRows).addAll(rowShape);
  }

  /** Element offset of the first row sent to {@code peer}. */
  long sendOffset(int peer) {
    return offset(sendRows, peer) * rowElements;
  }

  /** Element offset of the first row received from {@code peer}. */
  long recvOffset(int peer) {
    return offset(recvRows, peer) * rowElements;
  }

  long sendCount(int peer) {
    return sendRows[peer] * rowElements;
  }

  long recvCount(int peer) {
    return recvRows[peer] * rowElements;
  }

  private static long offset(long[] rows, int peer) {
    long sum = 0;
    for (int p = 0; p < peer; p++) {
      sum += rows[p];
    }
    return sum;
  }
}
