package ai.llep.device;

/** Whether tests tagged {@code gpu} can run here, and why not. */
public final class GpuPresence {
  private GpuPresence() {}

  /** Visible CUDA devices, 0 when the CUDA runtime cannot be loaded. */
  public static int cudaDevices() {
    try {
      return CudaRuntime.load().deviceCount();
    } catch (CudaException e) {
      return 0;
    }
  }

  public static String reason() {
    try {
      return "CUDA runtime " + CudaRuntime.load().libraryName() + " sees no device";
    } catch (CudaException e) {
      return "no CUDA runtime: " + e.getMessage();
    }
  }
}
