package ai.llep.models.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.SingleProcessCommunicator;
import org.junit.jupiter.api.Test;

/** The shift, the ignore index, and sum / count / mean, against a hand computation. */
class CausalLmLossTest {
  private static final int IGNORE = CausalLmLoss.IGNORE_INDEX;
  private static final float[] LOGITS = {
    // row 0: positions 0, 1, 2 over a vocabulary of 3
    1f, 2f, 0.5f, 0f, -1f, 3f, 2f, 2f, 2f,
    // row 1
    0.3f, 0.2f, 0.1f, 4f, 0f, 1f, -2f, 1f, 0f
  };

  @Test
  void eachPositionPredictsTheNextLabelAndIgnoredLabelsDoNotCount() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray logits = m.create(LOGITS, new Shape(2, 3, 3));
      int[][] labels = {{0, 2, IGNORE}, {IGNORE, 0, 1}};
      LossSum loss = CausalLmLoss.sum(logits, labels);
      // Row 0: position 0 predicts 2; position 1 predicts IGNORE. Row 1: 0 predicts 0, 1 predicts
      // 1.
      double expected =
          nll(new double[] {1, 2, 0.5}, 2)
              + nll(new double[] {0.3, 0.2, 0.1}, 0)
              + nll(new double[] {4, 0, 1}, 1);
      assertEquals(3, loss.count());
      assertEquals(3, CausalLmLoss.countedTokens(labels, Segments.wholeRows(2, 3)));
      assertEquals(expected, loss.sum().getFloat(), 1e-5);
      assertEquals(expected / 3, loss.mean().getFloat(), 1e-5);
      assertEquals(expected / 3, loss.globalMean(new SingleProcessCommunicator()).getFloat(), 1e-5);
    }
  }

  @Test
  void noPositionPredictsTheFirstTokenOfTheNextSegment() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray logits = m.create(LOGITS, new Shape(2, 3, 3));
      int[][] labels = {{0, 2, 1}, {IGNORE, 0, 1}};
      LossSum loss = CausalLmLoss.sum(logits, labels, new Segments(new int[][] {{1, 2}, {2, 1}}));
      // Row 0: position 0 ends its segment; position 1 predicts 1. Row 1: 0 predicts 0; position
      // 1 ends its segment.
      double expected = nll(new double[] {0, -1, 3}, 1) + nll(new double[] {0.3, 0.2, 0.1}, 0);
      assertEquals(2, loss.count());
      assertEquals(
          2, CausalLmLoss.countedTokens(labels, new Segments(new int[][] {{1, 2}, {2, 1}})));
      assertEquals(expected, loss.sum().getFloat(), 1e-5);
    }
  }

  @Test
  void aBatchWithNothingToPredictCountsZero() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray logits = m.create(LOGITS, new Shape(2, 3, 3));
      LossSum loss =
          CausalLmLoss.sum(logits, new int[][] {{1, IGNORE, IGNORE}, {2, IGNORE, IGNORE}});
      assertEquals(0, loss.count());
      assertEquals(
          0,
          CausalLmLoss.countedTokens(
              new int[][] {{1, IGNORE, IGNORE}, {2, IGNORE, IGNORE}}, Segments.wholeRows(2, 3)));
      assertEquals(0f, loss.mean().getFloat(), 0f);
    }
  }

  @Test
  void refusesALabelOutsideTheVocabulary() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray logits = m.create(LOGITS, new Shape(2, 3, 3));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> CausalLmLoss.sum(logits, new int[][] {{0, 1, 2}, {0, 3, 1}}));
      assertTrue(e.getMessage().startsWith("label 3 at [1][1] is neither -100 nor in [0, 3)"));
    }
  }

  private static double nll(double[] logits, int label) {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l);
    }
    double total = 0;
    for (double l : logits) {
      total += Math.exp(l - max);
    }
    return -(logits[label] - max - Math.log(total));
  }
}
