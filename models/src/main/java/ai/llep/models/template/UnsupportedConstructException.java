package ai.llep.models.template;

/**
 * A construct of Jinja that this interpreter does not implement (a tag, filter, test, method or
 * global). Raised instead of rendering anything that could differ from Jinja's output.
 */
public final class UnsupportedConstructException extends TemplateException {
  private final String construct;

  UnsupportedConstructException(String construct, int line) {
    super(construct + " is not supported by this chat template interpreter", line);
    this.construct = construct;
  }

  /** The construct, as in {@code filter 'groupby'}. */
  public String construct() {
    return construct;
  }
}
