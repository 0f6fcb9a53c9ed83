package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What every attention layer of one forward pass shares: the batch geometry, the rotary tables, the
 * segments, and what the chosen attention kernel needs to keep them apart (made once per pass):
 * nothing when every row is one segment (plain causal attention); else variable-length attention's
 * cumulative lengths where that kernel runs ({@link ScaledDotProduct#usesVarlen}), otherwise the
 * block-diagonal causal mask.
 *
 * @param mask_B1SS the boolean mask, or null
 * @param cuSeqlens_N the int32 cumulative segment lengths over the batch's tokens, or null
 * @param biases_B11SS for layers that attend with explicit math ({@link SinkAttention}), the
 *     additive mask of each attention window they use (0: full causal), kept inside each segment
 */
public record AttentionContext(
    int batch,
    int seq,
    RopeTables rope,
    Segments segments,
    NDArray mask_B1SS,
    NDArray cuSeqlens_N,
    Map<Integer, NDArray> biases_B11SS) {

  public AttentionContext {
    biases_B11SS = Map.copyOf(biases_B11SS);
  }

  /** The additive mask of attention window {@code window} (0: full causal). */
  public NDArray bias(int window) {
    NDArray bias = biases_B11SS.get(window);
    if (bias == null) {
      throw new IllegalStateException("no attention mask was made for window " + window);
    }
    return bias;
  }

  /**
   * The context of a [batch, seq] pass whose positions are {@code positions_BS}, computing in
   * {@code type} on {@code manager}'s device with heads of {@code headDim}; {@code explicitWindows}
   * are the windows of the layers that attend with explicit math (empty when all use libtorch's
   * kernels).
   */
  public static AttentionContext create(
      NDManager manager,
      RotaryEmbedding rotary,
      int[][] positions_BS,
      Segments segments,
      DataType type,
      int headDim,
      Set<Integer> explicitWindows) {
    int batch = segments.batch();
    int seq = segments.seq();
    RopeTables rope = rotary.tables(manager, positions_BS, type);
    Map<Integer, NDArray> biases = new HashMap<>();
    for (int window : explicitWindows) {
      biases.put(window, segments.attentionBias_B11SS(manager, window, type));
    }
    if (segments.wholeRowsOnly()) {
      return new AttentionContext(batch, seq, rope, segments, null, null, biases);
    }
    if (ScaledDotProduct.usesVarlen(manager.getDevice(), type, headDim)) {
      return new AttentionContext(
          batch, seq, rope, segments, null, segments.cumulativeLengths(manager), biases);
    }
    return new AttentionContext(
        batch, seq, rope, segments, segments.blockCausalMask_B1SS(manager), null, biases);
  }
}
