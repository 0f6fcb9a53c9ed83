package ai.llep.trainer.report;

/**
 * Why a chart could not be drawn. Java2D needs fonts from the operating system (fontconfig); GPU
 * nodes and slim containers often have none, and AWT then fails with an error rather than an
 * exception. Charts are a convenience: callers catch this, say why, and keep their other outputs.
 */
public final class PngRendering {
  private PngRendering() {}

  /** The problem in one line, with what to install. */
  public static String explain(Throwable failure) {
    return "could not draw the PNG ("
        + failure
        + "); Java2D needs fonts: install fontconfig and a font package (e.g. fonts-dejavu-core)";
  }

  /** True for the failures that mean "no usable fonts or graphics here", not a bug. */
  public static boolean isMissingGraphics(Throwable failure) {
    return failure instanceof InternalError
        || failure instanceof LinkageError
        || failure instanceof java.awt.AWTError
        || (failure.getMessage() != null && failure.getMessage().contains("Fontconfig"));
  }
}
