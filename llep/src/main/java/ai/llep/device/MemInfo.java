package ai.llep.device;

/** Free and total memory of the current device, as {@code cudaMemGetInfo} reports them. */
public record MemInfo(long freeBytes, long totalBytes) {
  public MemInfo {
    if (freeBytes < 0 || totalBytes < freeBytes) {
      throw new IllegalArgumentException(
          "need 0 <= free <= total, got free " + freeBytes + ", total " + totalBytes);
    }
  }

  /** Memory in use on the device by every process and context. */
  public long usedBytes() {
    return totalBytes - freeBytes;
  }
}
