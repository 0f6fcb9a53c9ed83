package ai.llep.aten;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.tape.GradMode;
import org.junit.jupiter.api.Test;

/** scatter_add and index_add against loops over plain Java arrays, values and gradients. */
class AtenScatterTest {
  @Test
  void scatterAddAddsEachSourceElementAtItsIndex() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled()) {
      float[] self = {1, 2, 3, 4, 5, 6};
      float[] src = {10, 20, 30, 40};
      long[] index = {2, 0, 2, 1};
      NDArray selfArray = m.create(self, new Shape(2, 3));
      NDArray srcArray = m.create(src, new Shape(2, 2));
      selfArray.setRequiresGradient(true);
      srcArray.setRequiresGradient(true);
      NDArray out = Aten.scatterAdd(selfArray, 1, m.create(index, new Shape(2, 2)), srcArray);

      float[] expected = self.clone();
      for (int r = 0; r < 2; r++) {
        for (int c = 0; c < 2; c++) {
          expected[r * 3 + (int) index[r * 2 + c]] += src[r * 2 + c];
        }
      }
      assertArrayEquals(expected, out.toFloatArray());

      float[] upstream = {1, 2, 3, 4, 5, 6};
      AtenTesting.backward(out, m.create(upstream, new Shape(2, 3)));
      assertArrayEquals(upstream, AtenTesting.gradient(selfArray), "d/dself is the identity");
      float[] dsrc = new float[4];
      for (int r = 0; r < 2; r++) {
        for (int c = 0; c < 2; c++) {
          dsrc[r * 2 + c] = upstream[r * 3 + (int) index[r * 2 + c]];
        }
      }
      assertArrayEquals(dsrc, AtenTesting.gradient(srcArray), "d/dsrc gathers the upstream");
    }
  }

  @Test
  void inPlaceScatterAddAndExpChangeTheArrayItself() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode off = GradMode.disabled()) {
      float[] values = {0.5f, -1, 2, 0, 1, -3};
      NDArray x = m.create(values, new Shape(2, 3));
      Aten.expInPlace(x);
      float[] expected = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        expected[i] = (float) Math.exp(values[i]);
      }
      assertArrayEquals(expected, x.toFloatArray(), 1e-6f);

      Aten.scatterAddInPlace(
          x,
          1,
          m.create(new long[] {2, 0}, new Shape(2, 1)),
          m.create(new float[] {-1, 4}, new Shape(2, 1)));
      expected[2] -= 1;
      expected[3] += 4;
      assertArrayEquals(expected, x.toFloatArray(), 1e-6f);
    }
  }

  @Test
  void indexAddAddsWholeRowsLikeTorchIndexAdd() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled()) {
      int rows = 4;
      int cols = 3;
      long[] index = {3, 0, 3};
      float[] source = {1, 2, 3, 4, 5, 6, 7, 8, 9};
      NDArray base = m.zeros(new Shape(rows, cols));
      NDArray sourceArray = m.create(source, new Shape(3, cols));
      sourceArray.setRequiresGradient(true);
      NDArray out = Aten.indexAdd(base, 0, m.create(index), sourceArray);

      float[] expected = new float[rows * cols];
      for (int i = 0; i < index.length; i++) {
        for (int c = 0; c < cols; c++) {
          expected[(int) index[i] * cols + c] += source[i * cols + c];
        }
      }
      assertArrayEquals(expected, out.toFloatArray());

      float[] upstream = new float[rows * cols];
      for (int i = 0; i < upstream.length; i++) {
        upstream[i] = i;
      }
      AtenTesting.backward(out, m.create(upstream, new Shape(rows, cols)));
      float[] dsource = new float[source.length];
      for (int i = 0; i < index.length; i++) {
        for (int c = 0; c < cols; c++) {
          dsource[i * cols + c] = upstream[(int) index[i] * cols + c];
        }
      }
      assertArrayEquals(dsource, AtenTesting.gradient(sourceArray));
    }
  }

  @Test
  void indexAddRunsOnBfloat16() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray base = Aten.zeros(m, new Shape(2, 2), DataType.BFLOAT16, m.getDevice());
      NDArray source =
          Aten.cast(m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2)), DataType.BFLOAT16);
      NDArray out = Aten.indexAdd(base, 0, m.create(new long[] {1, 1}), source);
      assertArrayEquals(new float[] {0, 0, 4, 6}, Aten.cast(out, DataType.FLOAT32).toFloatArray());
    }
  }
}
