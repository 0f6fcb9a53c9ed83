package ai.llep.comm;

import ai.djl.ndarray.NDArray;

/** One point-to-point send of {@code tensor} to rank {@code peer}. */
public record PeerSend(int peer, NDArray tensor) {
  public PeerSend {
    if (peer < 0) {
      throw new IllegalArgumentException("peer must be >= 0, got " + peer);
    }
    if (tensor == null) {
      throw new IllegalArgumentException("tensor to send to rank " + peer + " is null");
    }
  }
}
