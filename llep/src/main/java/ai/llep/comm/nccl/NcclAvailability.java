package ai.llep.comm.nccl;

import ai.djl.engine.Engine;
import ai.llep.device.CudaException;
import ai.llep.device.CudaRuntime;

/**
 * Whether this process can run the NCCL communicator on its GPU, and if not, what is missing: the
 * CUDA runtime, a visible device for the local rank, the NCCL library, or a CUDA build of libtorch.
 *
 * @param usable everything is present
 * @param missing what is missing, for the error message; empty when usable
 */
public record NcclAvailability(boolean usable, String missing) {

  /**
   * Checks, in order, and stops at the first thing missing.
   *
   * @param library the NCCL library's name or path; empty searches by name
   * @param localRank the GPU this rank would use
   */
  public static NcclAvailability check(String library, int localRank) {
    int devices;
    try {
      devices = CudaRuntime.load().deviceCount();
    } catch (CudaException | IllegalStateException e) {
      return missing(e.getMessage());
    }
    if (devices == 0) {
      return missing("a CUDA device: the CUDA runtime sees none");
    }
    if (localRank >= devices) {
      return missing(
          "GPU " + localRank + " for LOCAL_RANK=" + localRank + ": only " + devices + " visible");
    }
    try {
      NcclLibrary.load(library);
    } catch (IllegalStateException e) {
      return missing(
          e.getMessage() + " (set comm.nccl-library or " + NcclLibrary.LIBRARY_ENV + ")");
    }
    try {
      if (!Engine.getEngine("PyTorch").hasCapability("CUDA")) {
        return missing(
            "a CUDA build of libtorch: DJL loaded a CPU one (point PYTORCH_LIBRARY_PATH at a CUDA"
                + " libtorch)");
      }
    } catch (RuntimeException e) {
      return missing("DJL's PyTorch engine: " + e.getMessage());
    }
    return new NcclAvailability(true, "");
  }

  private static NcclAvailability missing(String what) {
    return new NcclAvailability(false, what);
  }
}
