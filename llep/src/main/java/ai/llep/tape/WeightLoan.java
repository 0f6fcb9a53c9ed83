package ai.llep.tape;

import ai.djl.ndarray.NDArray;

/**
 * One tensor lent from its owner to a helper for one step. On the owner {@code local} is the native
 * parameter; on the helper it is the received leaf. {@code peer} is the other side.
 */
public record WeightLoan(int peer, NDArray local) {
  public WeightLoan {
    if (peer < 0) {
      throw new IllegalArgumentException("peer must be >= 0, got " + peer);
    }
  }
}
