package ai.llep.comm.nccl;

import java.time.Duration;

/**
 * Settings of the NCCL communicator.
 *
 * @param timeout bound on every collective, from the call until its device work has finished: on
 *     expiry the communicator is aborted and the call fails naming the operation
 * @param connectTimeout bound on the unique-id exchange and NCCL's initialisation
 * @param library the NCCL library's name or path; empty: {@code LLEP_NCCL_LIBRARY}, else {@code
 *     libnccl.so.2} found by the system's loader
 */
public record NcclOptions(Duration timeout, Duration connectTimeout, String library) {
  public NcclOptions {
    requirePositive("timeout", timeout);
    requirePositive("connectTimeout", connectTimeout);
    if (library == null) {
      throw new IllegalArgumentException("library must not be null (use \"\" to search by name)");
    }
    library = library.strip();
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
    }
  }
}
