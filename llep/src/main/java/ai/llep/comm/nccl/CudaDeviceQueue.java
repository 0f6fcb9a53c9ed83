package ai.llep.comm.nccl;

import ai.llep.device.CudaEvent;
import ai.llep.device.CudaRuntime;
import ai.llep.device.CudaStream;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The legacy default stream (stream 0) of one GPU, the stream libtorch uses when no stream is set,
 * and a non-blocking side stream for transfers that overlap it; fences are events, reused once they
 * have been closed.
 */
final class CudaDeviceQueue implements DeviceQueue {
  private static final long LEGACY_DEFAULT_STREAM = 0;

  private final CudaRuntime cuda;
  private final int device;
  private final ConcurrentLinkedQueue<CudaEvent> idle = new ConcurrentLinkedQueue<>();
  private CudaStream side;

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
    EventFence fence = new EventFence(take());
    fence.event.record();
    return fence;
  }

  @Override
  public long sideStream() {
    return side().address();
  }

  @Override
  public void sideWaitsForMain() {
    CudaEvent event = take();
    event.record();
    event.makeWait(side());
    idle.add(event);
  }

  @Override
  public Fence sideFence() {
    EventFence fence = new EventFence(take());
    fence.event.record(side());
    return fence;
  }

  @Override
  public void mainWaitsFor(Fence fence) {
    ((EventFence) fence).event.makeDefaultStreamWait();
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
    if (side != null) {
      side.close();
      side = null;
    }
  }

  private CudaStream side() {
    if (side == null) {
      side = cuda.newStream();
    }
    return side;
  }

  private CudaEvent take() {
    CudaEvent event = idle.poll();
    return event != null ? event : cuda.newEvent();
  }

  /** A recorded event; closing returns it for reuse (a wait already queued on it stays valid). */
  private final class EventFence implements Fence {
    private final CudaEvent event;

    EventFence(CudaEvent event) {
      this.event = event;
    }

    @Override
    public boolean reached() {
      return event.isComplete();
    }

    @Override
    public void close() {
      idle.add(event);
    }
  }
}
