package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;

/** Comparisons and planners shared by the model tests. */
final class Checks {
  private Checks() {}

  /** EP, or LLEP that spills whenever a rank is above the mean (m = 1, lambda = 1). */
  static Planner planner(DispatchMode mode) {
    return Planner.create(mode, new PlannerOptions(1.0, 1, 1.0, PlannerOptions.Variant.DEFAULT));
  }

  static double[] flatten(double[][][] x) {
    int n = 0;
    for (double[][] a : x) {
      for (double[] b : a) {
        n += b.length;
      }
    }
    double[] out = new double[n];
    int at = 0;
    for (double[][] a : x) {
      for (double[] b : a) {
        System.arraycopy(b, 0, out, at, b.length);
        at += b.length;
      }
    }
    return out;
  }

  /** The values of {@code x} on the host; leaves nothing behind in {@code x}'s manager. */
  static double[] host(NDArray x) {
    if (x.getDataType() == DataType.FLOAT64) {
      return x.toDoubleArray();
    }
    try (NDArray wide = x.toType(DataType.FLOAT64, true)) {
      return wide.toDoubleArray();
    }
  }

  /** Max absolute error within {@code relative} times the reference's largest magnitude. */
  static void assertClose(double[] reference, double[] actual, double relative, String what) {
    assertEquals(reference.length, actual.length, what + ": size");
    double scale = 0;
    double error = 0;
    for (int i = 0; i < reference.length; i++) {
      scale = Math.max(scale, Math.abs(reference[i]));
      error = Math.max(error, Math.abs(reference[i] - actual[i]));
    }
    assertTrue(
        error <= relative * Math.max(scale, 1e-6),
        what + ": max abs error " + error + " at scale " + scale);
  }
}
