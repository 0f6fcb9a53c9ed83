package ai.llep.device;

import java.lang.foreign.MemorySegment;

/**
 * A CUDA stream of one device that runs independently of the legacy default stream; work on the two
 * is ordered only through events ({@link CudaEvent#record(CudaStream)}, {@link
 * CudaEvent#makeWait(CudaStream)}, {@link CudaEvent#makeDefaultStreamWait()}).
 */
public final class CudaStream implements AutoCloseable {
  private final CudaRuntime cuda;
  private final MemorySegment stream;
  private boolean closed;

  CudaStream(CudaRuntime cuda, MemorySegment stream) {
    this.cuda = cuda;
    this.stream = stream;
  }

  /** The {@code cudaStream_t} value, for libraries that take one (NCCL). */
  public long address() {
    return handle().address();
  }

  MemorySegment handle() {
    if (closed) {
      throw new IllegalStateException("the CUDA stream is closed");
    }
    return stream;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      cuda.destroyStream(stream);
    }
  }
}
