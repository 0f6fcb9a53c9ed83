package ai.llep.trainer.tracking;

/** A tracking store that cannot be opened or cannot start a run; the message names the URI. */
public class TrackingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrackingException(String message) {
    super(message);
  }

  public TrackingException(String message, Throwable cause) {
    super(message, cause);
  }
}
