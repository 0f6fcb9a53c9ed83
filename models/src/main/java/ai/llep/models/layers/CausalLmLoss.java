package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.device.HostUpload;

/**
 * Next-token cross-entropy as Hugging Face's causal-LM loss computes it: position s predicts label
 * s + 1 of the same row and segment (the last position of a segment predicts nothing, as with
 * Hugging Face's packing collator), labels equal to {@link #IGNORE_INDEX} are skipped, and
 * log-softmax runs in at least float32. This is the loss of logits that exist in full; training
 * computes the same loss from the hidden states in chunks ({@link ChunkedLmLoss}).
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
    if (segments.batch() != shape.get(0) || segments.seq() != shape.get(1)) {
      throw new IllegalArgumentException(
          "segments cover " + segments.batch() + " x " + segments.seq() + ", logits " + shape);
    }
    long vocab = shape.get(2);
    NextTokenTargets targets = NextTokenTargets.of(labels_BS, segments, vocab);
    int tokens = targets.target_T().length;
    NDManager manager = logits_BSV.getManager();
    NDArray logProbs_TV = Upcast.toFloat32(logits_BSV.reshape(tokens, vocab)).logSoftmax(1);
    NDArray picked_T =
        logProbs_TV.gather(HostUpload.of(manager, targets.target_T(), new Shape(tokens, 1)), 1);
    NDArray weights_T = HostUpload.of(manager, targets.weight_T(), new Shape(tokens, 1));
    if (weights_T.getDataType() != picked_T.getDataType()) {
      weights_T = weights_T.toType(picked_T.getDataType(), false);
    }
    return new LossSum(picked_T.mul(weights_T).sum().neg(), targets.count());
  }

  /**
   * The tokens {@link #sum} counts for {@code labels_BS} in {@code segments}: every position whose
   * next label is not {@link #IGNORE_INDEX} and lies in the same segment. Known before the forward,
   * so a training step can divide every micro-batch's sum by the count of the whole step.
   */
  public static long countedTokens(int[][] labels_BS, Segments segments) {
    int[][] segmentOf = segments.segmentOf_BS();
    long count = 0;
    for (int b = 0; b < labels_BS.length; b++) {
      for (int s = 0; s + 1 < labels_BS[b].length; s++) {
        if (labels_BS[b][s + 1] != IGNORE_INDEX && segmentOf[b][s] == segmentOf[b][s + 1]) {
          count++;
        }
      }
    }
    return count;
  }
}
