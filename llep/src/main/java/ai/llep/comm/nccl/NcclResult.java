package ai.llep.comm.nccl;

/** Values of NCCL's {@code ncclResult_t}, as its public header defines them. */
final class NcclResult {
  static final int SUCCESS = 0;
  static final int UNHANDLED_CUDA_ERROR = 1;
  static final int SYSTEM_ERROR = 2;
  static final int INTERNAL_ERROR = 3;
  static final int INVALID_ARGUMENT = 4;
  static final int INVALID_USAGE = 5;
  static final int REMOTE_ERROR = 6;
  static final int IN_PROGRESS = 7;

  private static final String[] NAMES = {
    "ncclSuccess",
    "ncclUnhandledCudaError",
    "ncclSystemError",
    "ncclInternalError",
    "ncclInvalidArgument",
    "ncclInvalidUsage",
    "ncclRemoteError",
    "ncclInProgress"
  };

  private NcclResult() {}

  /** The enumerator's name, e.g. {@code ncclRemoteError}. */
  static String name(int result) {
    return result >= 0 && result < NAMES.length ? NAMES[result] : "ncclResult " + result;
  }

  /** True for results that mean the communicator failed. */
  static boolean isError(int result) {
    return result != SUCCESS && result != IN_PROGRESS;
  }
}
