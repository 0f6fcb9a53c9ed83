package ai.llep.trainer.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The error of one quantity against the reference: the largest absolute difference, and that
 * divided by the largest reference magnitude (a norm-wise relative error, which stays meaningful
 * where individual reference entries are near zero).
 */
record ErrorRow(String quantity, double referenceScale, double maxAbsError, double maxRelError) {
  static ErrorRow compare(String quantity, NDArray actual, NDArray reference) {
    if (!actual.getShape().equals(reference.getShape())) {
      throw new IllegalStateException(
          quantity
              + ": shape "
              + actual.getShape()
              + " differs from the reference's "
              + reference.getShape());
    }
    if (reference.getShape().size() == 0) {
      return new ErrorRow(quantity, 0, 0, 0);
    }
    NDArray a = actual.toType(DataType.FLOAT64, false);
    NDArray r = reference.toType(DataType.FLOAT64, false);
    double abs = a.sub(r).abs().max().getDouble();
    double scale = r.abs().max().getDouble();
    return new ErrorRow(quantity, scale, abs, scale == 0 ? abs : abs / scale);
  }
}
