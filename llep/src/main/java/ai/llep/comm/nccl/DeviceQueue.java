package ai.llep.comm.nccl;

/**
 * The device work queue NCCL's operations go to, as the communicator sees it: select the device on
 * the calling thread, the stream handle to pass to NCCL, and a fence that tells when the work
 * queued so far has finished.
 */
interface DeviceQueue extends AutoCloseable {
  /** Makes the communicator's device current on the calling thread. */
  void enter();

  /** The {@code cudaStream_t} NCCL queues on. */
  long stream();

  /** Marks the end of the work queued so far. */
  void fence();

  /** True once the work before the last {@link #fence} has finished. */
  boolean fenceReached();

  @Override
  void close();
}
