package ai.llep.device;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Peak device memory of a region without CUDA allocator statistics, which DJL does not expose.
 * libtorch's caching allocator never returns memory to the driver by itself, so after emptying its
 * cache the device's used memory at the end of a region is the region's high-water mark. NOTE: this
 * synchronises the device twice; and if an allocation in the region hit out-of-memory, the
 * allocator freed its cache and retried, so the figure is then a lower bound.
 */
public final class DeviceMemory {
  private DeviceMemory() {}

  /**
   * Runs {@code region} on the calling thread, whose current device must be the one it uses.
   *
   * @return used memory of the current device at the start and the end of the region
   */
  public static PeakMemory peakDuringRun(CudaRuntime cuda, Runnable region) {
    cuda.synchronize();
    JniUtils.emptyCudaCache();
    MemInfo before = cuda.memInfo();
    region.run();
    cuda.synchronize();
    MemInfo after = cuda.memInfo();
    return new PeakMemory(before.usedBytes(), after.usedBytes(), after.totalBytes());
  }
}
