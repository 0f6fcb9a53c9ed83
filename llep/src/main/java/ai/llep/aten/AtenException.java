package ai.llep.aten;

/**
 * An ATen operator called through the dispatcher failed. The message names the operator and
 * overload, gives libtorch's own message, and lists the arguments (tensors as shape, dtype and
 * device).
 */
public class AtenException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int SHOWN = 600;

  private final String libtorchMessage;

  AtenException(AtenOp op, String libtorchMessage, String arguments) {
    super(
        op.qualifiedName()
            + " failed: "
            + shorten(libtorchMessage)
            + (arguments.isEmpty() ? "" : "\n  arguments: " + arguments));
    this.libtorchMessage = libtorchMessage;
  }

  /**
   * The first paragraph of a long message (libtorch's "Could not run ... with arguments from the
   * CPU backend" goes on to list every backend's registration).
   */
  static String shorten(String message) {
    int blank = message.indexOf("\n\n");
    String first = blank > 0 ? message.substring(0, blank) : message;
    return first.length() <= SHOWN ? first : first.substring(0, SHOWN) + "...";
  }

  /** What libtorch said, in full, without the operator and arguments. */
  public String libtorchMessage() {
    return libtorchMessage;
  }
}
