package ai.llep.comm.tcp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** The validated row splits of one all-to-all-v call, in rows and in bytes. */
record RowSplits(
    long[] sendRows, long[] recvRows, long[] sendOffsets, Shape rowShape, long rowBytes) {

  static RowSplits of(int rank, int worldSize, NDArray x, long[] sendRows, long[] recvRows) {
    WireDType.of(x.getDataType());
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
    Shape rowShape = shape.slice(1);
    long rowBytes = rowShape.size() * x.getDataType().getNumOfBytes();
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
