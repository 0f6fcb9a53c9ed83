package ai.llep.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import java.util.List;

/**
 * How far a result is from EP's on the same inputs: the largest absolute difference divided by the
 * largest magnitude of EP's result (a norm-wise relative error, meaningful where single entries of
 * the reference are near zero), in float32.
 */
final class Agreement {
  private Agreement() {}

  static double maxRelError(NDArray actual, NDArray reference) {
    if (!actual.getShape().equals(reference.getShape())) {
      throw new IllegalStateException(
          "shape " + actual.getShape() + " differs from EP's " + reference.getShape());
    }
    if (reference.getShape().size() == 0) {
      return 0;
    }
    try (NDArray a = wide(actual);
        NDArray r = wide(reference);
        NDArray diff = a.sub(r).abs().max();
        NDArray scale = r.abs().max()) {
      double abs = diff.getFloat();
      double max = scale.getFloat();
      return max == 0 ? abs : abs / max;
    }
  }

  /** A float32 copy (bfloat16 through libtorch, whose cast DJL lacks). */
  private static NDArray wide(NDArray x) {
    return Aten.dtype(x) == DataType.BFLOAT16
        ? Aten.cast(x, DataType.FLOAT32)
        : x.toType(DataType.FLOAT32, true);
  }

  /** The worst of {@link #maxRelError} over pairs of tensors. */
  static double maxRelError(List<NDArray> actual, List<NDArray> reference) {
    double worst = 0;
    for (int i = 0; i < actual.size(); i++) {
      worst = Math.max(worst, maxRelError(actual.get(i), reference.get(i)));
    }
    return worst;
  }
}
