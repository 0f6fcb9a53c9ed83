package ai.llep.comm;

/** A communication failure: a dead or silent peer, a timeout, a protocol violation. */
public class CommException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CommException(String message) {
    super(message);
  }

  public CommException(String message, Throwable cause) {
    super(message, cause);
  }
}
