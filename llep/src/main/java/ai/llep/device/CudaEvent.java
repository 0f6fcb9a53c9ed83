package ai.llep.device;

import java.lang.foreign.MemorySegment;

/**
 * A CUDA event on one device, recorded on the legacy default stream (stream 0), which is where
 * libtorch queues its work unless a stream is set and where this project queues NCCL's: a recorded
 * event completes when everything queued before it on that stream has.
 */
public final class CudaEvent implements AutoCloseable {
  private final CudaRuntime cuda;
  private final MemorySegment event;
  private boolean closed;

  CudaEvent(CudaRuntime cuda, MemorySegment event) {
    this.cuda = cuda;
    this.event = event;
  }

  /** Records the event after the work queued so far on the legacy default stream. */
  public void record() {
    checkOpen();
    cuda.recordEvent(event, MemorySegment.NULL);
  }

  /** Records the event after the work queued so far on {@code stream}. */
  public void record(CudaStream stream) {
    checkOpen();
    cuda.recordEvent(event, stream.handle());
  }

  /** Makes work queued later on the legacy default stream wait for this event. */
  public void makeDefaultStreamWait() {
    checkOpen();
    cuda.waitEvent(MemorySegment.NULL, event);
  }

  /** Makes work queued later on {@code stream} wait for this event. */
  public void makeWait(CudaStream stream) {
    checkOpen();
    cuda.waitEvent(stream.handle(), event);
  }

  /**
   * Milliseconds on the device between {@code earlier} and this event; both must be timing events
   * ({@link CudaRuntime#newTimingEvent}) that have completed.
   */
  public float millisSince(CudaEvent earlier) {
    checkOpen();
    earlier.checkOpen();
    return cuda.elapsedMillis(earlier.event, event);
  }

  /** True once everything queued before the last {@link #record} has finished. */
  public boolean isComplete() {
    checkOpen();
    return cuda.queryEvent(event);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      cuda.destroyEvent(event);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the CUDA event is closed");
    }
  }
}
