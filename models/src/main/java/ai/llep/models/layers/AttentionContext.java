package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * What every attention layer of one forward pass shares: the batch geometry, the rotary tables and
 * the additive causal mask ([S, S]: 0 where key position <= query position, -inf above).
 */
public record AttentionContext(int batch, int seq, RopeTables rope, NDArray mask_SS) {

  /** The context of a [batch, seq] pass whose positions are {@code positions_BS}. */
  public static AttentionContext create(
      NDManager manager,
      RotaryEmbedding rotary,
      int[][] positions_BS,
      int batch,
      int seq,
      DataType type) {
    float[] mask = new float[seq * seq];
    for (int q = 0; q < seq; q++) {
      for (int k = q + 1; k < seq; k++) {
        mask[q * seq + k] = Float.NEGATIVE_INFINITY;
      }
    }
    NDArray mask_SS = manager.create(mask, new Shape(seq, seq));
    if (type != DataType.FLOAT32) {
      mask_SS = mask_SS.toType(type, false);
    }
    return new AttentionContext(batch, seq, rotary.tables(manager, positions_BS, type), mask_SS);
  }
}
