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

  /** True when DJL's PyTorch engine loads and was built with CUDA. */
  public static boolean djlCuda() {
    try {
      return ai.djl.engine.Engine.getEngine("PyTorch").hasCapability("CUDA");
    } catch (RuntimeException | LinkageError e) {
      return false;
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
