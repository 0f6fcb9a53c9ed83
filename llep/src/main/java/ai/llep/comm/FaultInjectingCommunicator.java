package ai.llep.comm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Makes one rank fail or go silent at its first collective, to test that a job dies cleanly and
 * every other rank reports it (the CLI's {@code debug.fail-rank=R} and {@code debug.hang-rank=R}).
 * On other ranks it only delegates.
 */
public final class FaultInjectingCommunicator implements Communicator {
  /** What the faulty rank does at its first collective. */
  public enum Fault {
    /** Throws, so the process exits with an error. */
    THROW,
    /** Stops answering (sleeps until killed), so its peers time out. */
    HANG
  }

  private final Communicator delegate;
  private final int failRank;
  private final Fault fault;

  public FaultInjectingCommunicator(Communicator delegate, int failRank) {
    this(delegate, failRank, Fault.THROW);
  }

  public FaultInjectingCommunicator(Communicator delegate, int failRank, Fault fault) {
    if (delegate == null) {
      throw new IllegalArgumentException("delegate communicator must not be null");
    }
    if (failRank < 0 || failRank >= delegate.worldSize()) {
      throw new IllegalArgumentException(
          "the faulty rank must be in [0, " + delegate.worldSize() + "), got " + failRank);
    }
    this.delegate = delegate;
    this.failRank = failRank;
    this.fault = fault;
  }

  @Override
  public int rank() {
    return delegate.rank();
  }

  @Override
  public int worldSize() {
    return delegate.worldSize();
  }

  @Override
  public NDArray allGather(NDArray x) {
    failHere("all-gather");
    return delegate.allGather(x);
  }

  @Override
  public NDArray allReduce(NDArray x, ReduceOp op) {
    failHere("all-reduce");
    return delegate.allReduce(x, op);
  }

  @Override
  public NDArray allToAllV(NDArray x, long[] sendRows, long[] recvRows) {
    failHere("all-to-all-v");
    return delegate.allToAllV(x, sendRows, recvRows);
  }

  @Override
  public NDList sendRecv(List<PeerSend> sends, List<PeerRecv> recvs, NDManager manager) {
    failHere("send-recv");
    return delegate.sendRecv(sends, recvs, manager);
  }

  @Override
  public NDArray broadcast(NDArray x, int root) {
    failHere("broadcast");
    return delegate.broadcast(x, root);
  }

  @Override
  public void barrier() {
    failHere("barrier");
    delegate.barrier();
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** The failing rank never reaches the delegate, so it never gets past its first collective. */
  private void failHere(String op) {
    if (delegate.rank() == failRank && fault == Fault.HANG) {
      hang(op);
    }
    if (delegate.rank() == failRank) {
      throw new IllegalStateException(
          "debug.fail-rank="
              + failRank
              + ": rank "
              + failRank
              + " fails at its first collective ("
              + op
              + ")");
    }
  }

  private void hang(String op) {
    System.err.println(
        "debug.hang-rank=" + failRank + ": rank " + failRank + " stops answering at " + op);
    System.err.flush();
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("debug.hang-rank=" + failRank + ": interrupted", e);
      }
    }
  }
}
