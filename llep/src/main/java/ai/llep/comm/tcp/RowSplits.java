package ai.llep.comm.tcp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.AllToAllCheck;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** The validated row splits of one all-to-all-v call, in rows and in bytes. */
record RowSplits(
    long[] sendRows, long[] recvRows, long[] sendOffsets, Shape rowShape, long rowBytes) {

  static RowSplits of(int rank, int worldSize, NDArray x, long[] sendRows, long[] recvRows) {
    WireDType.of(Aten.dtype(x));
    AllToAllCheck.validate(rank, worldSize, x, sendRows, recvRows);
    Shape shape = x.getShape();
    Shape rowShape = shape.slice(1);
    long rowBytes = rowShape.size() * Aten.dtype(x).getNumOfBytes();
    long[] offsets = new long[worldSize];
    for (int p = 1; p < worldSize; p++) {
      offsets[p] = offsets[p - 1] + sendRows[p - 1];
    }
    RowSplits splits =
        new RowSplits(sendRows.clone(), recvRows.clone(), offsets, rowShape, rowBytes);
    if (splits.recvBytes() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "all-to-all-v result of " + splits.recvBytes() + " bytes exceeds the 2 GiB limit");
    }
    return splits;
  }

  Shape sendShape(int peer) {
    return TcpCommunicator.prepend(sendRows[peer], rowShape);
  }

  Shape recvShape(int peer) {
    return TcpCommunicator.prepend(recvRows[peer], rowShape);
  }

  Shape resultShape() {
    return TcpCommunicator.prepend(Arrays.stream(recvRows).sum(), rowShape);
  }

  long recvBytes() {
    return Arrays.stream(recvRows).sum() * rowBytes;
  }

  /** The bytes of the rows that go to {@code peer}, as a slice of the whole input. */
  ByteBuffer sendSlice(ByteBuffer input, int peer) {
    return input.slice(
        Math.toIntExact(sendOffsets[peer] * rowBytes), Math.toIntExact(sendRows[peer] * rowBytes));
  }
}
