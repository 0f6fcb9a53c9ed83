package ai.llep.comm;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** One point-to-point receive from rank {@code peer} of a tensor with a known shape and dtype. */
public record PeerRecv(int peer, Shape shape, DataType dataType) {
  public PeerRecv {
    if (peer < 0) {
      throw new IllegalArgumentException("peer must be >= 0, got " + peer);
    }
    if (shape == null || dataType == null) {
      throw new IllegalArgumentException("receive from rank " + peer + " needs a shape and dtype");
    }
  }
}
