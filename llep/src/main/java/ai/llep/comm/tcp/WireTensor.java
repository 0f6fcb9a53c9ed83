package ai.llep.comm.tcp;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One tensor on the wire, tagged with the operation it belongs to. The frame payload is a
 * big-endian header, then the raw element bytes in the sender's byte order:
 *
 * <pre>
 * op (1) | seq (8) | dtype (1) | byte order (1: 0 little, 1 big) | ndim (1) | dims (8 each) | data
 * </pre>
 *
 * {@code seq} is the collective's number for collectives, the per-peer message number for
 * point-to-point sends. The receiver swaps bytes only when the orders differ.
 *
 * @param data native-ordered bytes, exactly {@code shape.size() * dtype size} of them
 */
record WireTensor(OpKind op, long seq, DataType dataType, Shape shape, ByteBuffer data) {
  /** Frame type of a tensor message. */
  static final byte FRAME_TYPE = 64;

  static final int MAX_DIMS = 32;
  private static final int FIXED_HEADER = 12;

  static ByteBuffer header(OpKind op, long seq, DataType dataType, Shape shape) {
    if (shape.dimension() > MAX_DIMS) {
      throw new IllegalArgumentException(
          "the tcp communicator sends at most " + MAX_DIMS + " dimensions, got " + shape);
    }
    ByteBuffer header = ByteBuffer.allocate(FIXED_HEADER + 8 * shape.dimension());
    header
        .put(op.code())
        .putLong(seq)
        .put(WireDType.of(dataType).code())
        .put((byte) (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 1))
        .put((byte) shape.dimension());
    for (long dim : shape.getShape()) {
      header.putLong(dim);
    }
    return header.flip();
  }

  /** Parses a frame payload; the returned data is a slice of {@code payload}. */
  static WireTensor decode(ByteBuffer payload) throws ProtocolException {
    ByteBuffer in = payload.duplicate().order(ByteOrder.BIG_ENDIAN);
    if (in.remaining() < FIXED_HEADER) {
      throw new ProtocolException("tensor frame of " + in.remaining() + " bytes is truncated");
    }
    OpKind op = OpKind.fromCode(in.get());
    long seq = in.getLong();
    WireDType dtype = WireDType.fromCode(in.get());
    byte order = in.get();
    int ndim = Byte.toUnsignedInt(in.get());
    if (op == null || dtype == null || order > 1 || order < 0 || ndim > MAX_DIMS) {
      throw new ProtocolException("tensor frame has a malformed header");
    }
    if (in.remaining() < 8L * ndim) {
      throw new ProtocolException("tensor frame is truncated in its shape");
    }
    long[] dims = new long[ndim];
    long bytes = dtype.dataType().getNumOfBytes();
    try {
      for (int i = 0; i < ndim; i++) {
        dims[i] = in.getLong();
        if (dims[i] < 0) {
          throw new ProtocolException("tensor frame has a negative dimension " + dims[i]);
        }
        bytes = Math.multiplyExact(bytes, dims[i]);
      }
    } catch (ArithmeticException e) {
      throw new ProtocolException("tensor frame has an overflowing shape");
    }
    if (bytes != in.remaining()) {
      throw new ProtocolException(
          "tensor frame carries " + in.remaining() + " data bytes, its shape needs " + bytes);
    }
    ByteBuffer data = payload.slice(in.position(), in.remaining()).order(ByteOrder.nativeOrder());
    ByteOrder sender = order == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    if (sender != ByteOrder.nativeOrder()) {
      swapElements(data, dtype.dataType().getNumOfBytes());
    }
    return new WireTensor(op, seq, dtype.dataType(), new Shape(dims), data);
  }

  /** Reverses the bytes of every element in place. */
  static void swapElements(ByteBuffer data, int elementBytes) {
    int end = data.limit();
    switch (elementBytes) {
      case 1 -> {}
      case 2 -> {
        for (int i = data.position(); i < end; i += 2) {
          data.putShort(i, Short.reverseBytes(data.getShort(i)));
        }
      }
      case 4 -> {
        for (int i = data.position(); i < end; i += 4) {
          data.putInt(i, Integer.reverseBytes(data.getInt(i)));
        }
      }
      case 8 -> {
        for (int i = data.position(); i < end; i += 8) {
          data.putLong(i, Long.reverseBytes(data.getLong(i)));
        }
      }
      default -> throw new IllegalArgumentException("no byte swap for " + elementBytes + " bytes");
    }
  }

  String describe() {
    return shape + " " + dataType;
  }
}
