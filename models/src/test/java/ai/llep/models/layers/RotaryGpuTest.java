package ai.llep.models.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.device.GpuPresence;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Where libtorch takes lists (2.10 and later), {@link RotaryEmbedding#apply} rolls each head by
 * half instead of slicing and concatenating: the products are the same, so the result is the
 * rotate-half formula's to the bit, here checked against plain Java.
 */
@Tag("gpu")
class RotaryGpuTest {
  @Test
  void rollingByHalfAHeadIsRotateHalfExactly() {
    assumeTrue(GpuPresence.cudaDevices() > 0, GpuPresence.reason());
    assumeTrue(GpuPresence.djlCuda(), "DJL has no CUDA libtorch here");
    assumeTrue(Aten.listsSupported(), "the rolled form needs libtorch 2.10 or later");
    int batch = 2;
    int heads = 3;
    int seq = 5;
    int dim = 8;
    int[][] positions = {{0, 1, 2, 3, 4}, {0, 1, 0, 1, 2}};
    float[] xs = new float[batch * heads * seq * dim];
    Random random = new Random(5);
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) random.nextGaussian();
    }
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch")) {
      RopeTables tables = new RotaryEmbedding(dim, 10_000).tables(m, positions, DataType.FLOAT32);
      float[] cos = tables.cos_B1SC().toFloatArray();
      float[] sin = tables.sin_B1SC().toFloatArray();
      NDArray x = m.create(xs, new Shape(batch, heads, seq, dim));
      float[] out = RotaryEmbedding.apply(x, tables).toFloatArray();
      float[] expected = new float[xs.length];
      for (int b = 0; b < batch; b++) {
        for (int h = 0; h < heads; h++) {
          for (int s = 0; s < seq; s++) {
            int row = ((b * heads + h) * seq + s) * dim;
            int table = (b * seq + s) * dim;
            for (int c = 0; c < dim; c++) {
              float rotated = c < dim / 2 ? -xs[row + c + dim / 2] : xs[row + c - dim / 2];
              expected[row + c] = xs[row + c] * cos[table + c] + rotated * sin[table + c];
            }
          }
        }
      }
      assertArrayEquals(expected, out);
    }
  }
}
