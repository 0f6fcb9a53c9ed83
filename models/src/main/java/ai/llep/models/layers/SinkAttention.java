package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.tape.Scalars;

/**
 * Attention whose softmax also spans a learned per-head sink logit (gpt-oss), within a sliding
 * window or causally, by explicit math: {@code scores = q k^T * scale + mask}, the sink appended as
 * one more column, a softmax over keys and sink in at least float32, the sink's column dropped, the
 * rest times v. The sink takes probability mass without contributing a value, which libtorch's
 * {@code scaled_dot_product_attention} cannot express, so these layers do not run its fused
 * kernels. NOTE: the cost of that: the [B, H, S, L + 1] scores exist in memory (and again for the
 * backward), where the fused kernels keep O(S) per query; fine for fine-tuning lengths of a few
 * thousand tokens, the limit for long ones.
 *
 * <p>Query heads are grouped by their key/value head ([B, G, H / G, S, C]) so keys and values are
 * broadcast, never repeated.
 */
final class SinkAttention {
  private SinkAttention() {}

  /**
   * Attention of the S queries {@code q_BHSC} over L keys and values (L = S in training; in a
   * cached pass the cached positions and the new ones).
   *
   * @param sinks_H the sink logit of each query head, or null for none
   * @param bias_B11SL the additive mask (0 where allowed)
   * @return the heads' outputs side by side, {@code [T, H * C]}
   */
  static NDArray attend(
      NDArray q_BHSC,
      NDArray k_BGLC,
      NDArray v_BGLC,
      NDArray sinks_H,
      double scale,
      NDArray bias_B11SL) {
    Shape shape = q_BHSC.getShape();
    long batch = shape.get(0);
    long heads = shape.get(1);
    long seq = shape.get(2);
    long headDim = shape.get(3);
    long groups = k_BGLC.getShape().get(1);
    long keys = k_BGLC.getShape().get(2);
    long perGroup = heads / groups;
    NDArray q_BGRSC = q_BHSC.reshape(batch, groups, perGroup, seq, headDim);
    NDArray k_BG1LC = k_BGLC.reshape(batch, groups, 1, keys, headDim);
    NDArray v_BG1LC = v_BGLC.reshape(batch, groups, 1, keys, headDim);
    NDArray scores_BGRSL =
        Scalars.mul(q_BGRSC.matMul(k_BG1LC.transpose(0, 1, 2, 4, 3)), scale).add(bias_B11SL);
    NDArray logits = Upcast.toFloat32(scores_BGRSL);
    if (sinks_H != null) {
      NDArray sinks_BGRS1 =
          Upcast.toFloat32(StepView.of(sinks_H, q_BHSC.getManager()))
              .reshape(1, groups, perGroup, 1, 1)
              .broadcast(new Shape(batch, groups, perGroup, seq, 1));
      logits = logits.concat(sinks_BGRS1, 4);
    }
    NDArray probs = logits.softmax(4);
    if (sinks_H != null) {
      probs = probs.get(new NDIndex("..., :{}", keys));
    }
    NDArray out_BGRSC = Upcast.restore(probs, Aten.dtype(q_BHSC)).matMul(v_BG1LC);
    return out_BGRSC
        .reshape(batch, heads, seq, headDim)
        .transpose(0, 2, 1, 3)
        .reshape(batch * seq, heads * headDim);
  }
}
