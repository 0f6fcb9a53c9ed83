package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.device.HostUpload;
import java.util.Arrays;

/**
 * How the rows of a batch divide into segments (packed examples): row b is {@code lengths_B[b]}
 * consecutive segments. Attention never crosses a segment boundary (causal within each segment, a
 * block-diagonal mask), and the last token of a segment predicts nothing.
 */
public record Segments(int[][] lengths_B) {
  public Segments {
    if (lengths_B.length == 0) {
      throw new IllegalArgumentException("segments need at least one row");
    }
    lengths_B = Arrays.stream(lengths_B).map(int[]::clone).toArray(int[][]::new);
    int seq = Arrays.stream(lengths_B[0]).sum();
    for (int b = 0; b < lengths_B.length; b++) {
      if (lengths_B[b].length == 0 || Arrays.stream(lengths_B[b]).anyMatch(n -> n <= 0)) {
        throw new IllegalArgumentException(
            "row " + b + " segment lengths must be >= 1, got " + Arrays.toString(lengths_B[b]));
      }
      if (Arrays.stream(lengths_B[b]).sum() != seq) {
        throw new IllegalArgumentException(
            "row "
                + b
                + " segments cover "
                + Arrays.stream(lengths_B[b]).sum()
                + " positions, row 0 covers "
                + seq);
      }
    }
  }

  /** One segment per row of {@code seq} positions. */
  public static Segments wholeRows(int batch, int seq) {
    int[][] lengths = new int[batch][];
    for (int b = 0; b < batch; b++) {
      lengths[b] = new int[] {seq};
    }
    return new Segments(lengths);
  }

  @Override
  public int[][] lengths_B() {
    return Arrays.stream(lengths_B).map(int[]::clone).toArray(int[][]::new);
  }

  public int batch() {
    return lengths_B.length;
  }

  public int seq() {
    return Arrays.stream(lengths_B[0]).sum();
  }

  /** True when every row is a single segment (plain causal attention). */
  public boolean wholeRowsOnly() {
    return Arrays.stream(lengths_B).allMatch(row -> row.length == 1);
  }

  /** The longest segment. */
  public int maxLength() {
    return Arrays.stream(lengths_B).flatMapToInt(Arrays::stream).max().orElseThrow();
  }

  /** Per row and position, the index of its segment in the row. */
  public int[][] segmentOf_BS() {
    int[][] out = new int[batch()][seq()];
    for (int b = 0; b < out.length; b++) {
      int position = 0;
      for (int i = 0; i < lengths_B[b].length; i++) {
        Arrays.fill(out[b], position, position + lengths_B[b][i], i);
        position += lengths_B[b][i];
      }
    }
    return out;
  }

  /**
   * Rotary positions that restart at 0 in every segment, so a packed example is rotated exactly as
   * it is alone.
   */
  public int[][] restartingPositions_BS() {
    int[][] out = new int[batch()][seq()];
    for (int b = 0; b < out.length; b++) {
      int position = 0;
      for (int length : lengths_B[b]) {
        for (int i = 0; i < length; i++) {
          out[b][position++] = i;
        }
      }
    }
    return out;
  }

  /**
   * The block-diagonal causal mask, {@code [B, 1, S, S]} booleans (true: query s may attend to key
   * t), under {@code manager} on its device. NOTE: B * S * S bytes.
   */
  public NDArray blockCausalMask_B1SS(NDManager manager) {
    int batch = batch();
    int seq = seq();
    int[][] segmentOf = segmentOf_BS();
    boolean[] allowed = new boolean[batch * seq * seq];
    for (int b = 0; b < batch; b++) {
      for (int q = 0; q < seq; q++) {
        int row = (b * seq + q) * seq;
        for (int k = q; k >= 0 && segmentOf[b][k] == segmentOf[b][q]; k--) {
          allowed[row + k] = true;
        }
      }
    }
    return manager.create(allowed, new Shape(batch, 1, seq, seq));
  }

  /**
   * The additive attention mask of explicit attention math, {@code [B, 1, 1, S, S]} of {@code type}
   * under {@code manager}: 0 where query s may attend to key t (same segment, t <= s, and with a
   * {@code window} > 0 also t > s - window), else the lowest finite value of {@code type} (as
   * transformers' eager masks; float32's lowest would round to -inf in bfloat16 or float16). NOTE:
   * B * S * S values.
   */
  public NDArray attentionBias_B11SS(NDManager manager, int window, DataType type) {
    int batch = batch();
    int seq = seq();
    int[][] segmentOf = segmentOf_BS();
    float[] bias = new float[batch * seq * seq];
    Arrays.fill(bias, lowestFinite(type));
    for (int b = 0; b < batch; b++) {
      for (int q = 0; q < seq; q++) {
        int row = (b * seq + q) * seq;
        int first = window > 0 ? Math.max(0, q - window + 1) : 0;
        for (int k = q; k >= first && segmentOf[b][k] == segmentOf[b][q]; k--) {
          bias[row + k] = 0f;
        }
      }
    }
    NDArray out = manager.create(bias, new Shape(batch, 1, 1, seq, seq));
    if (type == DataType.FLOAT32) {
      return out;
    }
    try (out) {
      return Aten.cast(out, type);
    }
  }

  /** The most negative finite value of {@code type}, as a float (exact in that type). */
  static float lowestFinite(DataType type) {
    return switch (type) {
      case BFLOAT16 -> Float.intBitsToFloat(0xFF7F0000);
      case FLOAT16 -> -65504f;
      default -> -Float.MAX_VALUE;
    };
  }

  /**
   * Where each segment starts in the batch's tokens taken row after row, then the token count:
   * {@code [segments + 1]} int32 under {@code manager} on its device (variable-length attention's
   * cumulative sequence lengths).
   */
  public NDArray cumulativeLengths(NDManager manager) {
    int count = Arrays.stream(lengths_B).mapToInt(row -> row.length).sum();
    int[] starts = new int[count + 1];
    int i = 0;
    for (int[] row : lengths_B) {
      for (int length : row) {
        starts[i + 1] = starts[i] + length;
        i++;
      }
    }
    return HostUpload.of(manager, starts);
  }
}
