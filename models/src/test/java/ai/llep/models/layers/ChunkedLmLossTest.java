package ai.llep.models.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import ai.llep.tape.Scalars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chunked LM head and loss against the loss of the full logits through autograd: the loss, and
 * the gradients of the hidden states and of the head weight, for chunks that split rows, segments
 * and skip chunks with nothing to predict.
 */
class ChunkedLmLossTest {
  private static final int I = CausalLmLoss.IGNORE_INDEX;
  private static final int B = 2;
  private static final int S = 7;
  private static final int D = 6;
  private static final int V = 11;
  private static final int[][] LABELS = {{3, 1, 4, 1, 5, 9, 2}, {I, I, I, I, 6, 10, 0}};
  private static final Segments SEGMENTS = new Segments(new int[][] {{4, 3}, {7}});

  record Result(double loss, long count, double[] dh, double[] dw) {}

  @ParameterizedTest(name = "{0} tokens per chunk, {1}")
  @CsvSource({
    "1, float64",
    "3, float64",
    "5, float64",
    "14, float64",
    "1000, float64",
    "4, float32"
  })
  void matchesTheLossOfTheFullLogits(int chunk, String type) {
    DataType dtype = DataType.valueOf(type.toUpperCase(java.util.Locale.ROOT));
    double tolerance = dtype == DataType.FLOAT64 ? 1e-12 : 1e-6;
    Result full = run(dtype, -1);
    Result chunked = run(dtype, chunk);
    assertEquals(full.count(), chunked.count());
    assertEquals(full.loss(), chunked.loss(), tolerance * Math.abs(full.loss()));
    assertClose(full.dh(), chunked.dh(), tolerance, "dh");
    assertClose(full.dw(), chunked.dw(), tolerance, "dW");
  }

  @Test
  void withoutAutogradItIsTheLossAlone() {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode off = GradMode.disabled()) {
      NDArray h = m.randomNormal(new Shape(B * S, D));
      NDArray w = m.randomNormal(new Shape(V, D));
      LossSum chunked = ChunkedLmLoss.sum(h, w, LABELS, SEGMENTS, 3);
      LossSum full = CausalLmLoss.sum(h.matMul(w.transpose()).reshape(B, S, V), LABELS, SEGMENTS);
      assertEquals(full.sum().getFloat(), chunked.sum().getFloat(), 1e-5);
      assertEquals(8, chunked.count());
    }
  }

  @Test
  void theDefaultChunkBoundsItsFloat32Logits() {
    assertEquals(1325, ChunkedLmLoss.defaultChunkTokens(151_936));
    assertEquals(1, ChunkedLmLoss.defaultChunkTokens(1L << 40));
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray h = m.zeros(new Shape(B * S, D));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ChunkedLmLoss.sum(h, m.zeros(new Shape(V, D + 1)), LABELS, SEGMENTS, 2));
      assertEquals("hidden states (14, 6) do not fit 14 tokens and head (11, 7)", e.getMessage());
    }
  }

  /**
   * Mixed precision: bfloat16 hidden states over a float32 head, whose gradient sums the chunks'
   * bfloat16 products in float32 (in place). One token per chunk stays within bfloat16's rounding
   * of the float64 loss of the full logits.
   */
  @ParameterizedTest(name = "{0} tokens per chunk")
  @CsvSource({"1", "4", "1000"})
  void inBfloat16TheHeadGradientSumsInFloat32(int chunk) {
    Result exact = run(DataType.FLOAT64, -1);
    Result mixed = run(DataType.BFLOAT16, chunk);
    assertEquals(exact.loss(), mixed.loss(), 1e-2 * Math.abs(exact.loss()));
    assertClose(exact.dh(), mixed.dh(), 2e-2, "dh");
    assertClose(exact.dw(), mixed.dw(), 2e-2, "dW");
  }

  /**
   * Backward from 0.37 times the loss; chunk -1 is the loss of the full logits. In bfloat16 the
   * leaves are float32 and the loss sees their bfloat16 casts, as the trainer's master weights.
   */
  private static Result run(DataType type, int chunk) {
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled()) {
      m.getEngine().setRandomSeed(11);
      DataType leaves = type == DataType.BFLOAT16 ? DataType.FLOAT32 : type;
      NDArray h = m.randomNormal(new Shape(B * S, D)).toType(leaves, false);
      NDArray w = m.randomNormal(new Shape(V, D)).toType(leaves, false);
      h.setRequiresGradient(true);
      w.setRequiresGradient(true);
      NDArray normed = Upcast.restore(h.mul(h).add(1).log(), type);
      LossSum loss =
          chunk < 0
              ? CausalLmLoss.sum(normed.matMul(w.transpose()).reshape(B, S, V), LABELS, SEGMENTS)
              : ChunkedLmLoss.sum(normed, w, LABELS, SEGMENTS, chunk);
      NDArray scaled = Scalars.mul(loss.sum(), 0.37);
      Gradients.backward(scaled, m.ones(new Shape()).toType(scaled.getDataType(), false));
      try (NDArray dh = h.getGradient();
          NDArray dw = w.getGradient()) {
        return new Result(
            loss.sum().toType(DataType.FLOAT64, false).getDouble(),
            loss.count(),
            dh.toType(DataType.FLOAT64, false).toDoubleArray(),
            dw.toType(DataType.FLOAT64, false).toDoubleArray());
      }
    }
  }

  private static void assertClose(
      double[] expected, double[] actual, double tolerance, String what) {
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      if (Math.abs(expected[i] - actual[i]) > tolerance * scale) {
        throw new AssertionError(what + "[" + i + "]: " + expected[i] + " vs " + actual[i]);
      }
    }
  }
}
