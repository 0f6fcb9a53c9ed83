package ai.llep.models;

import ai.llep.models.layers.CausalLmLoss;
import ai.llep.models.layers.Segments;

/**
 * One rank's batch: B rows of S token ids, their rotary positions, how each row divides into
 * segments (packed examples) and, for training, labels (unshifted; {@link
 * CausalLmLoss#IGNORE_INDEX} where no loss is wanted). The arrays are copied. Attention is causal
 * within each segment and never crosses into another; the last token of a segment predicts nothing.
 * Padding belongs at the end of a row, with ignored labels.
 *
 * @param labels_BS null when the batch is only run forward
 */
public record TokenBatch(
    int[][] inputIds_BS, int[][] positions_BS, int[][] labels_BS, Segments segments) {
  public TokenBatch {
    inputIds_BS = copy("input ids", inputIds_BS, inputIds_BS);
    positions_BS = copy("positions", positions_BS, inputIds_BS);
    labels_BS = labels_BS == null ? null : copy("labels", labels_BS, inputIds_BS);
    for (int[] row : positions_BS) {
      for (int position : row) {
        if (position < 0) {
          throw new IllegalArgumentException("positions must be >= 0, got " + position);
        }
      }
    }
    java.util.Objects.requireNonNull(segments, "segments");
    if (segments.batch() != inputIds_BS.length || segments.seq() != inputIds_BS[0].length) {
      throw new IllegalArgumentException(
          "segments cover "
              + segments.batch()
              + " rows of "
              + segments.seq()
              + " positions, the input ids are "
              + inputIds_BS.length
              + " x "
              + inputIds_BS[0].length);
    }
  }

  /** A batch whose rows are one segment each. */
  public TokenBatch(int[][] inputIds_BS, int[][] positions_BS, int[][] labels_BS) {
    this(inputIds_BS, positions_BS, labels_BS, wholeRows(inputIds_BS));
  }

  /** A forward-only batch with positions 0..S-1 in every row. */
  public static TokenBatch of(int[][] inputIds_BS) {
    return new TokenBatch(inputIds_BS, defaultPositions(inputIds_BS), null);
  }

  /** A language-modelling batch: labels are the input ids (the loss shifts them). */
  public static TokenBatch causalLm(int[][] inputIds_BS) {
    return new TokenBatch(inputIds_BS, defaultPositions(inputIds_BS), inputIds_BS);
  }

  /**
   * A batch of packed rows: row b holds the segments {@code segments.lengths_B()[b]} back to back,
   * each rotated from position 0 as if alone.
   *
   * @param labels_BS null for a forward-only batch
   */
  public static TokenBatch packed(int[][] inputIds_BS, int[][] labels_BS, Segments segments) {
    return new TokenBatch(inputIds_BS, segments.restartingPositions_BS(), labels_BS, segments);
  }

  public TokenBatch withLabels(int[][] labels) {
    return new TokenBatch(inputIds_BS, positions_BS, labels, segments);
  }

  public int batchSize() {
    return inputIds_BS.length;
  }

  public int seqLength() {
    return inputIds_BS[0].length;
  }

  private static Segments wholeRows(int[][] ids) {
    if (ids == null || ids.length == 0 || ids[0] == null || ids[0].length == 0) {
      throw new IllegalArgumentException("input ids must have at least one row and one position");
    }
    return Segments.wholeRows(ids.length, ids[0].length);
  }

  private static int[][] defaultPositions(int[][] ids) {
    if (ids == null || ids.length == 0) {
      return ids;
    }
    int[][] positions = new int[ids.length][ids[0].length];
    for (int[] row : positions) {
      for (int s = 0; s < row.length; s++) {
        row[s] = s;
      }
    }
    return positions;
  }

  private static int[][] copy(String what, int[][] rows, int[][] ids) {
    if (rows == null || rows.length == 0 || rows[0] == null || rows[0].length == 0) {
      throw new IllegalArgumentException(what + " must have at least one row and one position");
    }
    if (rows.length != ids.length) {
      throw new IllegalArgumentException(
          what + " have " + rows.length + " rows, the input ids " + ids.length);
    }
    int[][] out = new int[rows.length][];
    for (int b = 0; b < rows.length; b++) {
      if (rows[b] == null || rows[b].length != ids[0].length) {
        throw new IllegalArgumentException(
            what + " row " + b + " must have " + ids[0].length + " positions, like row 0");
      }
      out[b] = rows[b].clone();
    }
    return out;
  }
}
