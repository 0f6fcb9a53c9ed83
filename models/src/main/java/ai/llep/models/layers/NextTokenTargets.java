package ai.llep.models.layers;

/**
 * Which label each position predicts: position s of row b predicts {@code labels[b][s + 1]} when
 * that label is not {@link CausalLmLoss#IGNORE_INDEX} and s + 1 lies in the same segment; other
 * positions predict nothing (weight 0). Flattened over the batch's tokens, row after row.
 *
 * @param target_T the predicted label per token (0 where nothing is predicted)
 * @param weight_T 1 where a label is predicted, else 0
 * @param count tokens with weight 1
 */
public record NextTokenTargets(long[] target_T, float[] weight_T, long count) {

  /**
   * @throws IllegalArgumentException when the labels do not match the batch's shape or a label is
   *     neither the ignore index nor in [0, vocab)
   */
  public static NextTokenTargets of(int[][] labels_BS, Segments segments, long vocab) {
    int batch = segments.batch();
    int seq = segments.seq();
    checkLabels(labels_BS, batch, seq, vocab);
    int[][] segmentOf = segments.segmentOf_BS();
    long[] target = new long[batch * seq];
    float[] weight = new float[batch * seq];
    long count = 0;
    for (int b = 0; b < batch; b++) {
      for (int s = 0; s + 1 < seq; s++) {
        int label = labels_BS[b][s + 1];
        if (label != CausalLmLoss.IGNORE_INDEX && segmentOf[b][s] == segmentOf[b][s + 1]) {
          target[b * seq + s] = label;
          weight[b * seq + s] = 1f;
          count++;
        }
      }
    }
    return new NextTokenTargets(target, weight, count);
  }

  /** Whether every position in {@code [from, to)} predicts a label. */
  boolean allIn(int from, int to) {
    for (int t = from; t < to; t++) {
      if (weight_T[t] == 0) {
        return false;
      }
    }
    return true;
  }

  /** True when some token in {@code [from, to)} predicts a label. */
  boolean anyIn(int from, int to) {
    for (int t = from; t < to; t++) {
      if (weight_T[t] != 0) {
        return true;
      }
    }
    return false;
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
        if (label != CausalLmLoss.IGNORE_INDEX && (label < 0 || label >= vocab)) {
          throw new IllegalArgumentException(
              "label "
                  + label
                  + " at ["
                  + b
                  + "]["
                  + s
                  + "] is neither "
                  + CausalLmLoss.IGNORE_INDEX
                  + " nor in [0, "
                  + vocab
                  + ")");
        }
      }
    }
  }
}
