package ai.llep.aten;

/** What an operator returns in one stack slot. */
public enum ReturnKind {
  /** A new tensor handle, which the binding wraps as a DJL array. */
  TENSOR,
  /** A 64-bit integer ({@code int} or {@code SymInt}). */
  INT,
  /** A double ({@code float} in ATen's schema language). */
  DOUBLE,
  BOOL
}
