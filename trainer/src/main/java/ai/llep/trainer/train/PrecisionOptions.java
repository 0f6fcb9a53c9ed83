package ai.llep.trainer.train;

/**
 * How a run computes and what type it exports in ({@code train.precision}, {@code
 * train.export-dtype}), bound once at start-up.
 */
public record PrecisionOptions(Precision precision, ExportDtype exportDtype) {
  /** float32 training, export in the source's type. */
  public static final PrecisionOptions FLOAT32 =
      new PrecisionOptions(Precision.FLOAT32, ExportDtype.AUTO);

  public PrecisionOptions {
    if (precision == null || exportDtype == null) {
      throw new IllegalArgumentException("precision and export dtype must be given");
    }
  }

  /**
   * @throws IllegalArgumentException naming the key and its valid values
   */
  public static PrecisionOptions parse(String precision, String exportDtype) {
    return new PrecisionOptions(Precision.parse(precision), ExportDtype.parse(exportDtype));
  }
}
