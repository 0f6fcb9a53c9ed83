package ai.llep.comm;

import ai.djl.ndarray.NDList;

/**
 * A batch of point-to-point transfers that may still be in flight ({@link
 * Communicator#startSendRecv}).
 */
public interface PendingExchange {
  /**
   * The receive buffers, in the order of the receives; their contents are valid for work queued
   * after {@link #await}.
   */
  NDList received();

  /**
   * Orders the work queued after this call after the transfers; on a GPU the host does not wait.
   * Called once, by the thread that started the exchange.
   */
  void await();

  /** An exchange that has already finished. */
  static PendingExchange completed(NDList received) {
    return new PendingExchange() {
      @Override
      public NDList received() {
        return received;
      }

      @Override
      public void await() {}
    };
  }
}
