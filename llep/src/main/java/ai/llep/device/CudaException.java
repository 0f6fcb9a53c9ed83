package ai.llep.device;

/** A CUDA runtime call failed, or the CUDA runtime library could not be used at all. */
public class CudaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CudaException(String message) {
    super(message);
  }

  public CudaException(String message, Throwable cause) {
    super(message, cause);
  }
}
