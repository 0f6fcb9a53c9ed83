package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * What every attention layer of one forward pass shares: the batch geometry, the rotary tables, the
 * segments, and what the chosen attention kernel needs to keep them apart (made once per pass):
 * nothing when every row is one segment (plain causal attention); else variable-length attention's
 * cumulative lengths where that kernel runs ({@link ScaledDotProduct#usesVarlen}), otherwise the
 * block-diagonal causal mask.
 *
 * @param mask_B1SS the boolean mask, or null
 * @param cuSeqlens_N the int32 cumulative segment lengths over the batch's tokens, or null
 */
public record AttentionContext(
    int batch,
    int seq,
    RopeTables rope,
    Segments segments,
    NDArray mask_B1SS,
    NDArray cuSeqlens_N) {

  /**
   * The context of a [batch, seq] pass whose positions are {@code positions_BS}, computing in
   * {@code type} on {@code manager}'s device with heads of {@code headDim}.
   */
  public static AttentionContext create(
      NDManager manager,
      RotaryEmbedding rotary,
      int[][] positions_BS,
      Segments segments,
      DataType type,
      int headDim) {
    int batch = segments.batch();
    int seq = segments.seq();
    RopeTables rope = rotary.tables(manager, positions_BS, type);
    if (segments.wholeRowsOnly()) {
      return new AttentionContext(batch, seq, rope, segments, null, null);
    }
    if (ScaledDotProduct.usesVarlen(manager.getDevice(), type, headDim)) {
      return new AttentionContext(
          batch, seq, rope, segments, null, segments.cumulativeLengths(manager));
    }
    return new AttentionContext(
        batch, seq, rope, segments, segments.blockCausalMask_B1SS(manager), null);
  }
}
