package ai.llep.models.template;

/**
 * A template that cannot be parsed, uses a construct this interpreter does not support, or fails
 * while rendering ({@code raise_exception}, a type error, an undefined value used as an object).
 * The message names the template line where it is known. An {@link IllegalArgumentException}: a
 * template fails on what it is given (its own text, a conversation it refuses).
 */
public class TemplateException extends IllegalArgumentException {
  private final int line;

  public TemplateException(String message, int line) {
    super(line > 0 ? "line " + line + ": " + message : message);
    this.line = line;
  }

  public TemplateException(String message, int line, Throwable cause) {
    super(line > 0 ? "line " + line + ": " + message : message, cause);
    this.line = line;
  }

  /** The template line (1-based), or 0 when unknown. */
  public int line() {
    return line;
  }
}
