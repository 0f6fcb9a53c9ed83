package ai.llep.device;

/**
 * Device memory around a measured region: in use at its start (after emptying libtorch's cache) and
 * the peak during it (in use at its end, since the caching allocator keeps its high-water mark
 * reserved). Both count every allocation on the device: CUDA context, NCCL buffers, other tensors.
 */
public record PeakMemory(long baselineBytes, long peakBytes, long totalBytes) {
  public PeakMemory {
    if (baselineBytes < 0 || peakBytes < 0 || totalBytes < 0) {
      throw new IllegalArgumentException(
          "memory sizes must be >= 0, got " + baselineBytes + ", " + peakBytes + ", " + totalBytes);
    }
  }

  /** What the region added on top of its start. */
  public long regionBytes() {
    return Math.max(0, peakBytes - baselineBytes);
  }
}
