package ai.llep.comm.nccl;

import ai.llep.device.CudaEvent;
import ai.llep.device.CudaRuntime;

/**
 * The legacy default stream (stream 0) of one GPU, the stream libtorch uses when no stream is set,
 * with one event as the fence.
 */
final class CudaDeviceQueue implements DeviceQueue {
  private static final long LEGACY_DEFAULT_STREAM = 0;

  private final CudaRuntime cuda;
  private final int device;
  private final CudaEvent fence;

  CudaDeviceQueue(CudaRuntime cuda, int device) {
    this.cuda = cuda;
    this.device = device;
    cuda.setDevice(device);
    this.fence = cuda.newEvent();
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
  public void fence() {
    fence.record();
  }

  @Override
  public boolean fenceReached() {
    return fence.isComplete();
  }

  @Override
  public void close() {
    cuda.setDevice(device);
    fence.close();
  }
}
