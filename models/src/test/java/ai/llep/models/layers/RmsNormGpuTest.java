package ai.llep.models.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.device.GpuPresence;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * On CUDA with libtorch 2.10 or later, {@link RmsNorm} is libtorch's own {@code rms_norm}: its
 * output and gradients (input and weight) agree with the formula written out in plain Java, for a
 * float32 residual stream handing bfloat16 out and for bfloat16 heads.
 */
@Tag("gpu")
class RmsNormGpuTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"FLOAT32, FLOAT32, 1e-5", "FLOAT32, BFLOAT16, 1.6e-2", "BFLOAT16, BFLOAT16, 1.6e-2"})
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void matchesTheFormula(DataType input, DataType output, double tolerance) {
    assumeTrue(GpuPresence.cudaDevices() > 0, GpuPresence.reason());
    assumeTrue(GpuPresence.djlCuda(), "DJL has no CUDA libtorch here");
    assumeTrue(Aten.listsSupported(), "the fused norm needs libtorch 2.10 or later");
    int rows = 6;
    int dim = 64;
    double eps = 1e-6;
    Random random = new Random(11);
    float[] xs = new float[rows * dim];
    float[] ws = new float[dim];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) random.nextGaussian() * 3;
    }
    for (int i = 0; i < ws.length; i++) {
      ws[i] = 1 + (float) random.nextGaussian() * 0.1f;
    }
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch")) {
      NDArray weight = m.create(ws);
      weight.setRequiresGradient(true);
      NDArray x0 = m.create(xs, new Shape(rows, dim));
      NDArray x = input == DataType.FLOAT32 ? x0 : Aten.cast(x0, input);
      x.setRequiresGradient(true);
      float[] out;
      try (GradMode on = GradMode.enabled()) {
        NDArray y = new RmsNorm(weight, eps).forward(x, output);
        NDArray y32 = Aten.cast(y, DataType.FLOAT32);
        out = y32.toFloatArray();
        // Loss: sum of y * (row + 1), so each output's upstream gradient is its row number + 1.
        NDArray scale = m.arange(1f, rows + 1f).reshape(rows, 1);
        Gradients.backward(y32.mul(scale).sum(), m.ones(new Shape()));
      }
      float[] rounded = Aten.cast(x, DataType.FLOAT32).toFloatArray();
      float[] gw = weight.getGradient().toFloatArray();
      float[] gx = Aten.cast(x.getGradient(), DataType.FLOAT32).toFloatArray();
      double[] expectGw = new double[dim];
      for (int r = 0; r < rows; r++) {
        double sq = 0;
        for (int d = 0; d < dim; d++) {
          sq += rounded[r * dim + d] * (double) rounded[r * dim + d];
        }
        double inv = 1 / Math.sqrt(sq / dim + eps);
        double upstream = r + 1;
        double dot = 0;
        for (int d = 0; d < dim; d++) {
          double xhat = rounded[r * dim + d] * inv;
          close(xhat * ws[d], out[r * dim + d], tolerance, "output");
          expectGw[d] += upstream * xhat;
          dot += upstream * ws[d] * xhat;
        }
        for (int d = 0; d < dim; d++) {
          double xhat = rounded[r * dim + d] * inv;
          double expected = inv * (upstream * ws[d] - xhat * dot / dim);
          close(expected, gx[r * dim + d], tolerance * 4, "input gradient");
        }
      }
      for (int d = 0; d < dim; d++) {
        close(expectGw[d], gw[d], tolerance * 4, "weight gradient");
      }
    }
  }

  private static void close(double expected, double actual, double tolerance, String what) {
    double scale = Math.max(1, Math.abs(expected));
    assertTrue(
        Math.abs(expected - actual) <= tolerance * scale,
        what + ": " + actual + ", expected " + expected);
  }
}
