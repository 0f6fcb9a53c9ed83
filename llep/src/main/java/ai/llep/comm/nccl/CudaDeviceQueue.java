package ai.llep.comm.nccl;

import ai.llep.device.CudaEvent;
import ai.llep.device.CudaRuntime;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The legacy default stream (stream 0) of one GPU, the stream libtorch uses when no stream is set;
 * fences are events, reused once they have been polled and closed.
 */
final class CudaDeviceQueue implements DeviceQueue {
  private static final long LEGACY_DEFAULT_STREAM = 0;

  private final CudaRuntime cuda;
  private final int device;
  private final ConcurrentLinkedQueue<CudaEvent> idle = new ConcurrentLinkedQueue<>();

  CudaDeviceQueue(CudaRuntime cuda, int device) {
    this.cuda = cuda;
    this.device = device;
  }

  @Override
  public void enter() {
    cuda.setDevice(device);
  }

  @Override
  public long stream() {
    return LEGACY_DEFAULT_STREAM;
  }

  @Override
  public Fence fence() {
    CudaEvent event = idle.poll();
    if (event == null) {
      event = cuda.newEvent();
    }
    event.record();
    CudaEvent recorded = event;
    return new Fence() {
      @Override
      public boolean reached() {
        return recorded.isComplete();
      }

      @Override
      public void close() {
        idle.add(recorded);
      }
    };
  }

  @Override
  public boolean ordersLaterUses() {
    return true;
  }

  @Override
  public void close() {
    cuda.setDevice(device);
    CudaEvent event;
    while ((event = idle.poll()) != null) {
      event.close();
    }
  }
}
