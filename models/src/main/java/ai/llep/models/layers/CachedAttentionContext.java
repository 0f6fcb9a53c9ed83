package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What every attention layer of one cached pass shares: S new positions per row, written at cache
 * positions {@code [start, start + S)}, their rotary tables, and which cached positions each may
 * attend to (made once per pass).
 *
 * <p>Rows are left-padded: row b's first {@code padding_B[b]} positions are padding, which no real
 * position attends to; a padding position attends to itself alone, so nothing is undefined.
 *
 * @param mask_B1SL for layers on libtorch's kernels, true where new position s may attend to cache
 *     position l ({@code L = start + S}); null when {@code causal} says it all
 * @param causal with no mask: the plain causal mask when {@code start == 0}, no mask at all when
 *     false (one new position attending to everything before it)
 * @param biases_B11SL for layers that attend with explicit math ({@link SinkAttention}), the
 *     additive mask of each attention window they use (0: full causal) over the keys that window's
 *     layers attend over, cache positions {@code [LayerKv.firstKey(start, window), start + S)}
 */
public record CachedAttentionContext(
    int batch,
    int seq,
    int start,
    RopeTables rope,
    NDArray mask_B1SL,
    boolean causal,
    Map<Integer, NDArray> biases_B11SL) {
  public CachedAttentionContext {
    if (batch < 1 || seq < 1 || start < 0) {
      throw new IllegalArgumentException(
          "a cached pass needs batch >= 1, seq >= 1, start >= 0; got "
              + batch
              + ", "
              + seq
              + ", "
              + start);
    }
    if (mask_B1SL != null && causal) {
      throw new IllegalArgumentException("a cached pass has a mask or is causal, not both");
    }
    if (causal && start != 0) {
      throw new IllegalArgumentException(
          "a causal pass without a mask must start at position 0, not " + start);
    }
    biases_B11SL = Map.copyOf(biases_B11SL);
  }

  /** The additive mask of attention window {@code window} (0: full causal). */
  public NDArray bias(int window) {
    NDArray bias = biases_B11SL.get(window);
    if (bias == null) {
      throw new IllegalStateException("no attention mask was made for window " + window);
    }
    return bias;
  }

  /**
   * The context of a pass over positions {@code [start, start + seq)} of rows left-padded by {@code
   * padding_B}, under {@code step}: plain causal attention where no row is padded, else a mask of B
   * * S * L booleans, and an additive mask in {@code type} for each of {@code explicitWindows}.
   */
  public static CachedAttentionContext create(
      NDManager step,
      RopeTables rope,
      int[] padding_B,
      int start,
      int seq,
      DataType type,
      Set<Integer> explicitWindows) {
    int batch = padding_B.length;
    Map<Integer, NDArray> biases = new HashMap<>();
    for (int window : explicitWindows) {
      biases.put(window, bias(step, padding_B, start, seq, window, type));
    }
    boolean padded = Arrays.stream(padding_B).anyMatch(p -> p > 0);
    if (!padded && start == 0) {
      return new CachedAttentionContext(batch, seq, start, rope, null, true, biases);
    }
    if (!padded && seq == 1) {
      return new CachedAttentionContext(batch, seq, start, rope, null, false, biases);
    }
    boolean[] allowed = new boolean[batch * seq * (start + seq)];
    for (int b = 0; b < batch; b++) {
      for (int s = 0; s < seq; s++) {
        int row = (b * seq + s) * (start + seq);
        for (int k = 0; k < start + seq; k++) {
          allowed[row + k] = sees(padding_B[b], start + s, k, 0);
        }
      }
    }
    NDArray mask = step.create(allowed, new Shape(batch, 1, seq, start + seq));
    return new CachedAttentionContext(batch, seq, start, rope, mask, false, biases);
  }

  /**
   * Whether the query at cache position {@code query} sees the key at cache position {@code key}.
   */
  private static boolean sees(int padding, int query, int key, int window) {
    if (key == query) {
      return true;
    }
    return key >= padding && key < query && (window == 0 || key > query - window);
  }

  private static NDArray bias(
      NDManager step, int[] padding_B, int start, int seq, int window, DataType type) {
    int batch = padding_B.length;
    int first = LayerKv.firstKey(start, window);
    int keys = start + seq - first;
    float[] bias = new float[batch * seq * keys];
    float blocked = Segments.lowestFinite(type);
    for (int b = 0; b < batch; b++) {
      for (int s = 0; s < seq; s++) {
        int row = (b * seq + s) * keys;
        for (int k = 0; k < keys; k++) {
          bias[row + k] = sees(padding_B[b], start + s, first + k, window) ? 0f : blocked;
        }
      }
    }
    NDArray out = step.create(bias, new Shape(batch, 1, 1, seq, keys));
    if (type == DataType.FLOAT32) {
      return out;
    }
    try (out) {
      return Upcast.restore(out, type);
    }
  }
}
