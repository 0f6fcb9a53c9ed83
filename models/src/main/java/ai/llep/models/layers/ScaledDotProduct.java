package ai.llep.models.layers;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;

/**
 * The attention kernel of a layer, chosen from the batch's segments, the device and the dtype:
 *
 * <ul>
 *   <li>every row one segment: libtorch's {@code scaled_dot_product_attention} with {@code
 *       is_causal} (on CUDA its FlashAttention or memory-efficient backend, on CPU its fused
 *       kernel);
 *   <li>packed rows on CUDA in float16 or bfloat16 ({@link #usesVarlen}): variable-length
 *       FlashAttention over the segments ({@code _flash_attention_forward} with cumulative
 *       lengths), which never builds a mask;
 *   <li>packed rows otherwise: {@code scaled_dot_product_attention} with the block-diagonal causal
 *       mask (on CUDA the memory-efficient backend).
 * </ul>
 *
 * Key/value heads are not repeated: each of the G heads serves H / G consecutive query heads inside
 * the kernel.
 */
final class ScaledDotProduct {
  private ScaledDotProduct() {}

  /**
   * Whether packed rows run as variable-length FlashAttention: on CUDA, in float16 or bfloat16, for
   * head dims FlashAttention takes (multiples of 8 up to 256).
   */
  static boolean usesVarlen(Device device, DataType type, int headDim) {
    return device.isGpu()
        && (type == DataType.FLOAT16 || type == DataType.BFLOAT16)
        && headDim % 8 == 0
        && headDim <= 256;
  }

  /**
   * Attention of {@code q_BHSC} over {@code k_BGSC}, {@code v_BGSC}.
   *
   * @return the heads' outputs side by side, {@code [T, H * C]} (T = B * S, row-major)
   */
  static NDArray attend(
      NDArray q_BHSC, NDArray k_BGSC, NDArray v_BGSC, double scale, AttentionContext ctx) {
    long heads = q_BHSC.getShape().get(1);
    long headDim = q_BHSC.getShape().get(3);
    long tokens = (long) ctx.batch() * ctx.seq();
    boolean grouped = k_BGSC.getShape().get(1) != heads;
    if (ctx.cuSeqlens_N() != null) {
      NDArray out_THC =
          Aten.flashAttentionVarlen(
              tokensFirst(q_BHSC, tokens),
              tokensFirst(k_BGSC, tokens),
              tokensFirst(v_BGSC, tokens),
              ctx.cuSeqlens_N(),
              ctx.segments().maxLength(),
              scale,
              true);
      return out_THC.reshape(tokens, heads * headDim);
    }
    NDArray out_BHSC =
        Aten.scaledDotProductAttention(
            q_BHSC, k_BGSC, v_BGSC, ctx.mask_B1SS(), ctx.mask_B1SS() == null, scale, grouped);
    return out_BHSC.transpose(0, 2, 1, 3).reshape(tokens, heads * headDim);
  }

  /**
   * Attention of {@code q_BHSC}, the new positions of a cached pass, over the cache's {@code
   * k_BGLC}, {@code v_BGLC} (the new positions included) with the pass's mask: libtorch's {@code
   * scaled_dot_product_attention}.
   *
   * @return the heads' outputs side by side, {@code [T, H * C]} (T = B * S, row-major)
   */
  static NDArray attendCached(
      NDArray q_BHSC, NDArray k_BGLC, NDArray v_BGLC, double scale, CachedAttentionContext ctx) {
    long heads = q_BHSC.getShape().get(1);
    long headDim = q_BHSC.getShape().get(3);
    long tokens = (long) ctx.batch() * ctx.seq();
    boolean grouped = k_BGLC.getShape().get(1) != heads;
    NDArray out_BHSC =
        Aten.scaledDotProductAttention(
            q_BHSC, k_BGLC, v_BGLC, ctx.mask_B1SL(), ctx.causal(), scale, grouped);
    return out_BHSC.transpose(0, 2, 1, 3).reshape(tokens, heads * headDim);
  }

  /** [B, n, S, C] to [T, n, C], the tokens of every row back to back. */
  private static NDArray tokensFirst(NDArray x_BNSC, long tokens) {
    return x_BNSC
        .transpose(0, 2, 1, 3)
        .reshape(tokens, x_BNSC.getShape().get(1), x_BNSC.getShape().get(3));
  }
}
