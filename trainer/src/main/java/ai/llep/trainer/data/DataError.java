package ai.llep.trainer.data;

/** Bad training data: the message names the file and line. */
public class DataError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataError(String message) {
    super(message);
  }
}
