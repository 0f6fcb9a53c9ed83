package ai.llep.comm;

/** Element-wise reductions supported by {@link Communicator#allReduce}. */
public enum ReduceOp {
  SUM,
  MAX
}
