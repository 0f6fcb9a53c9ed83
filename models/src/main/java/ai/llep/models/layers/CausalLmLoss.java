package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Next-token cross-entropy as Hugging Face's causal-LM loss computes it: position s predicts label
 * s + 1 of the same row and segment (the last position of a segment predicts nothing, as with
 * Hugging Face's packing collator), labels equal to {@link #IGNORE_INDEX} are skipped, and
 * log-softmax runs in at least float32.
 */
public final class CausalLmLoss {
  /** The label of a token that no loss is computed for (padding, prompt). */
  public static final int IGNORE_INDEX = -100;

  private CausalLmLoss() {}

  /**
   * @param logits_BSV the model's logits
   * @param labels_BS the (unshifted) labels, usually the input ids with ignored positions set to
   *     {@link #IGNORE_INDEX}
   */
  public static LossSum sum(NDArray logits_BSV, int[][] labels_BS) {
    Shape shape = logits_BSV.getShape();
    return sum(
        logits_BSV,
        labels_BS,
        Segments.wholeRows(Math.toIntExact(shape.get(0)), Math.toIntExact(shape.get(1))));
  }

  /** As {@link #sum(NDArray, int[][])}, with no prediction across {@code segments}' boundaries. */
  public static LossSum sum(NDArray logits_BSV, int[][] labels_BS, Segments segments) {
    Shape shape = logits_BSV.getShape();
    if (shape.dimension() != 3) {
      throw new IllegalArgumentException("logits must be [B, S, V], got " + shape);
    }
    int batch = Math.toIntExact(shape.get(0));
    int seq = Math.toIntExact(shape.get(1));
    long vocab = shape.get(2);
    checkLabels(labels_BS, batch, seq, vocab);
    if (segments.batch() != batch || segments.seq() != seq) {
      throw new IllegalArgumentException(
          "segments cover " + segments.batch() + " x " + segments.seq() + ", logits " + shape);
    }
    int[][] segmentOf = segments.segmentOf_BS();
    int tokens = batch * seq;
    long[] target_T = new long[tokens];
    float[] weight_T = new float[tokens];
    long count = 0;
    for (int b = 0; b < batch; b++) {
      for (int s = 0; s + 1 < seq; s++) {
        int label = labels_BS[b][s + 1];
        if (label != IGNORE_INDEX && segmentOf[b][s] == segmentOf[b][s + 1]) {
          target_T[b * seq + s] = label;
          weight_T[b * seq + s] = 1f;
          count++;
        }
      }
    }
    NDManager manager = logits_BSV.getManager();
    NDArray logProbs_TV = Upcast.toFloat32(logits_BSV.reshape(tokens, vocab)).logSoftmax(1);
    NDArray picked_T = logProbs_TV.gather(manager.create(target_T, new Shape(tokens, 1)), 1);
    NDArray weights_T = manager.create(weight_T, new Shape(tokens, 1));
    if (weights_T.getDataType() != picked_T.getDataType()) {
      weights_T = weights_T.toType(picked_T.getDataType(), false);
    }
    return new LossSum(picked_T.mul(weights_T).sum().neg(), count);
  }

  private static void checkLabels(int[][] labels_BS, int batch, int seq, long vocab) {
    if (labels_BS.length != batch) {
      throw new IllegalArgumentException(
          "labels have " + labels_BS.length + " rows, the logits " + batch);
    }
    for (int b = 0; b < batch; b++) {
      if (labels_BS[b].length != seq) {
        throw new IllegalArgumentException(
            "labels row " + b + " has " + labels_BS[b].length + " positions, the logits " + seq);
      }
      for (int s = 0; s < seq; s++) {
        int label = labels_BS[b][s];
        if (label != IGNORE_INDEX && (label < 0 || label >= vocab)) {
          throw new IllegalArgumentException(
              "label "
                  + label
                  + " at ["
                  + b
                  + "]["
                  + s
                  + "] is neither "
                  + IGNORE_INDEX
                  + " nor in [0, "
                  + vocab
                  + ")");
        }
      }
    }
  }
}
