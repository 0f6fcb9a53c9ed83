package ai.llep.tape;

import ai.djl.ndarray.NDArray;
import ai.llep.comm.Communicator;

/**
 * An all-to-all-v cut: {@code send} left this rank in rows {@code sendRows}, {@code recv} arrived
 * in rows {@code recvRows}. The gradient goes back by the same collective with the splits swapped.
 */
record AllToAllEdge(Communicator comm, NDArray send, NDArray recv, long[] sendRows, long[] recvRows)
    implements TapeEdge {
  @Override
  public void propagate() {
    try (NDArray recvGradient = Gradients.gradientOf(recv);
        NDArray sendGradient = comm.allToAllV(recvGradient, recvRows, sendRows)) {
      Gradients.backward(send, sendGradient);
    }
  }
}
