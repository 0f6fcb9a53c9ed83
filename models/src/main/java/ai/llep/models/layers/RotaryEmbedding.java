package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.device.HostUpload;
import ai.llep.models.family.RopeScaling;
import java.util.Arrays;

/**
 * Rotary position embedding in Hugging Face's "rotate half" convention: frequency i of C / 2 pairs
 * dimension i with dimension i + C / 2, {@code inv_freq_i = theta^(-2i / C)}, and {@code x' = x *
 * cos + rotate_half(x) * sin} with {@code rotate_half(x) = [-x2, x1]}. Angles are computed in
 * float32 like Hugging Face's; the tables are cast to the compute type. With YaRN scaling ({@link
 * #of}) the frequencies blend interpolated and extrapolated ones and the tables carry the attention
 * factor, as transformers' YaRN computes them (float32 throughout).
 */
public final class RotaryEmbedding {
  private final int headDim;
  private final float[] invFreq;
  private final float scaling;

  /**
   * cos and sin of every position below {@link #rows}, one row of C per position, computed once.
   */
  private float[] cosByPosition = new float[0];

  private float[] sinByPosition = new float[0];
  private int rows;

  public RotaryEmbedding(int headDim, double theta) {
    this(headDim, plainFrequencies(headDim, theta), 1f);
  }

  private RotaryEmbedding(int headDim, float[] invFreq, float scaling) {
    this.headDim = headDim;
    this.invFreq = invFreq;
    this.scaling = scaling;
  }

  /** The rotary embedding of {@code headDim} with base {@code theta} and {@code scaling}. */
  public static RotaryEmbedding of(int headDim, double theta, RopeScaling scaling) {
    if (scaling.type() == RopeScaling.Type.NONE) {
      return new RotaryEmbedding(headDim, theta);
    }
    return new RotaryEmbedding(
        headDim, YarnFrequencies.of(headDim, theta, scaling), (float) scaling.attentionFactor());
  }

  private static float[] plainFrequencies(int headDim, double theta) {
    if (headDim < 2 || headDim % 2 != 0) {
      throw new IllegalArgumentException("rotary head dim must be even and >= 2, got " + headDim);
    }
    float[] invFreq = new float[headDim / 2];
    for (int i = 0; i < invFreq.length; i++) {
      invFreq[i] = (float) (1.0 / Math.pow(theta, (2.0 * i) / headDim));
    }
    return invFreq;
  }

  /** Tables for {@code positions_BS}, under {@code manager}, in {@code type}. */
  public RopeTables tables(NDManager manager, int[][] positions_BS, DataType type) {
    int batch = positions_BS.length;
    int seq = batch == 0 ? 0 : positions_BS[0].length;
    float[] cos = new float[batch * seq * headDim];
    float[] sin = new float[cos.length];
    synchronized (this) {
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < seq; s++) {
          int position = positions_BS[b][s];
          if (position < 0) {
            throw new IllegalArgumentException(
                "position " + position + " at row " + b + ", column " + s + " is negative");
          }
          cover(position);
          int to = (b * seq + s) * headDim;
          System.arraycopy(cosByPosition, position * headDim, cos, to, headDim);
          System.arraycopy(sinByPosition, position * headDim, sin, to, headDim);
        }
      }
    }
    float[] rolledSin = sin.clone();
    int half = headDim / 2;
    for (int row = 0; row < batch * seq; row++) {
      for (int i = row * headDim; i < row * headDim + half; i++) {
        rolledSin[i] = -rolledSin[i];
      }
    }
    Shape shape = new Shape(batch, 1, seq, headDim);
    return new RopeTables(
        Upcast.restore(HostUpload.of(manager, cos, shape), type),
        Upcast.restore(HostUpload.of(manager, sin, shape), type),
        Upcast.restore(HostUpload.of(manager, rolledSin, shape), type));
  }

  /** Computes the rows of the positions up to {@code position}, at least doubling the table. */
  private void cover(int position) {
    if (position < rows) {
      return;
    }
    int next = (int) Math.min(Integer.MAX_VALUE / headDim, Math.max(position + 1L, 2L * rows));
    if (position >= next) {
      throw new IllegalArgumentException("position " + position + " is out of range");
    }
    cosByPosition = Arrays.copyOf(cosByPosition, next * headDim);
    sinByPosition = Arrays.copyOf(sinByPosition, next * headDim);
    int half = headDim / 2;
    for (int p = rows; p < next; p++) {
      int base = p * headDim;
      float at = p;
      for (int i = 0; i < half; i++) {
        float angle = at * invFreq[i];
        cosByPosition[base + i] =
            cosByPosition[base + i + half] = (float) Math.cos(angle) * scaling;
        sinByPosition[base + i] =
            sinByPosition[base + i + half] = (float) Math.sin(angle) * scaling;
      }
    }
    rows = next;
  }

  /** Rotates {@code x_BHSC} (queries or keys) by the tables' angles. */
  public static NDArray apply(NDArray x_BHSC, RopeTables tables) {
    long half = x_BHSC.getShape().get(3) / 2;
    if (Aten.listsSupported()) {
      // roll(x) = [x2, x1], and the rolled sines carry rotate_half's minus: the same products.
      return x_BHSC
          .mul(tables.cos_B1SC())
          .add(Aten.roll(x_BHSC, half, 3).mul(tables.rolledSin_B1SC()));
    }
    NDArray x1 = x_BHSC.get(new NDIndex("..., :{}", half));
    NDArray x2 = x_BHSC.get(new NDIndex("..., {}:", half));
    NDArray rotated = x2.neg().concat(x1, 3);
    return x_BHSC.mul(tables.cos_B1SC()).add(rotated.mul(tables.sin_B1SC()));
  }
}
