package ai.llep.comm.nccl;

/**
 * The device work queue NCCL's operations go to, as the communicator sees it: select the device on
 * the calling thread, the stream handle to pass to NCCL, and fences that tell when the work queued
 * before them has finished.
 */
interface DeviceQueue extends AutoCloseable {
  /** Makes the communicator's device current on the calling thread. */
  void enter();

  /** The {@code cudaStream_t} NCCL queues on. */
  long stream();

  /** Marks the end of the work queued so far. Callable from the communicator's thread only. */
  Fence fence();

  /**
   * True when every later use of a result, by the device or by the host, waits in queue order for
   * the operation that wrote it (a CUDA stream: kernels and copies to the host run after it); the
   * communicator may then return before its operations finish. False when results are plain memory
   * that the caller may read at once, so every operation must finish before the call returns.
   */
  boolean ordersLaterUses();

  /** The {@code cudaStream_t} of a second queue whose work may overlap this one's. */
  long sideStream();

  /** Makes work queued later on the side queue wait for the work queued so far on this one. */
  void sideWaitsForMain();

  /** Marks the end of the work queued so far on the side queue. */
  Fence sideFence();

  /** Makes work queued later on this queue wait for {@code fence} (of either queue). */
  void mainWaitsFor(Fence fence);

  @Override
  void close();

  /** The end of some queued work; may be polled and closed from another thread. */
  interface Fence extends AutoCloseable {
    boolean reached();

    @Override
    void close();
  }
}
