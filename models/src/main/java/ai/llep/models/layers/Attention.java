package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.family.QkNorm;
import ai.llep.tape.Scalars;

/**
 * Causal self-attention with grouped-query heads (H query heads share G key/value heads, head h
 * reading key/value head h / (H / G)), rotary embeddings, the family's query/key norm and OLMoE's
 * optional q/k/v clipping, in Hugging Face's order: project, full-projection norm, clip, split
 * heads, per-head norm, rotate, attend with scale 1 / sqrt(C) and a float32 softmax, merge heads,
 * project out.
 */
public final class Attention {
  private final Linear q;
  private final Linear k;
  private final Linear v;
  private final Linear o;
  private final QkNorm normKind;
  private final RmsNorm qNorm;
  private final RmsNorm kNorm;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final double clip;

  /**
   * @param qNorm the query norm, null when {@code normKind} is NONE
   * @param kNorm the key norm, null when {@code normKind} is NONE
   * @param clip bound on |q|, |k|, |v| after the norms; 0 for none
   */
  public Attention(
      Linear q,
      Linear k,
      Linear v,
      Linear o,
      QkNorm normKind,
      RmsNorm qNorm,
      RmsNorm kNorm,
      int heads,
      int kvHeads,
      int headDim,
      double clip) {
    if ((normKind == QkNorm.NONE) != (qNorm == null) || (qNorm == null) != (kNorm == null)) {
      throw new IllegalArgumentException("query/key norms must be given exactly when " + normKind);
    }
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException(kvHeads + " key/value heads do not divide " + heads);
    }
    this.q = q;
    this.k = k;
    this.v = v;
    this.o = o;
    this.normKind = normKind;
    this.qNorm = qNorm;
    this.kNorm = kNorm;
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    this.clip = clip;
  }

  /** {@code x_TD} (the batch's tokens, row-major) to the attention output [T, D]. */
  public NDArray forward(NDArray x_TD, AttentionContext ctx) {
    NDArray q_TQ = q.forward(x_TD);
    NDArray k_TK = k.forward(x_TD);
    NDArray v_TK = v.forward(x_TD);
    if (normKind == QkNorm.FULL) {
      q_TQ = qNorm.forward(q_TQ);
      k_TK = kNorm.forward(k_TK);
    }
    if (clip > 0) {
      q_TQ = q_TQ.clip(-clip, clip);
      k_TK = k_TK.clip(-clip, clip);
      v_TK = v_TK.clip(-clip, clip);
    }
    NDArray q_BHSC = splitHeads(q_TQ, heads, ctx, qNorm);
    NDArray k_BGSC = splitHeads(k_TK, kvHeads, ctx, kNorm);
    NDArray v_BGSC = splitHeads(v_TK, kvHeads, ctx, null);
    q_BHSC = RotaryEmbedding.apply(q_BHSC, ctx.rope());
    k_BGSC = RotaryEmbedding.apply(k_BGSC, ctx.rope());
    NDArray k_BHSC = repeatKv(k_BGSC, ctx);
    NDArray v_BHSC = repeatKv(v_BGSC, ctx);

    NDArray scores_BHSS =
        Scalars.mul(q_BHSC.matMul(k_BHSC.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(headDim));
    scores_BHSS = scores_BHSS.add(ctx.mask_SS());
    DataType type = scores_BHSS.getDataType();
    NDArray probs_BHSS = Upcast.restore(Upcast.toFloat32(scores_BHSS).softmax(3), type);
    NDArray out_BHSC = probs_BHSS.matMul(v_BHSC);
    long tokens = (long) ctx.batch() * ctx.seq();
    NDArray out_TQ = out_BHSC.transpose(0, 2, 1, 3).reshape(tokens, (long) heads * headDim);
    return o.forward(out_TQ);
  }

  /** [T, n * C] to [B, n, S, C], normalising each head when the family does so per head. */
  private NDArray splitHeads(NDArray x_TN, int n, AttentionContext ctx, RmsNorm norm) {
    NDArray x_BSNC = x_TN.reshape(new Shape(ctx.batch(), ctx.seq(), n, headDim));
    if (normKind == QkNorm.PER_HEAD && norm != null) {
      x_BSNC = norm.forward(x_BSNC);
    }
    return x_BSNC.transpose(0, 2, 1, 3);
  }

  /** [B, G, S, C] to [B, H, S, C]: each key/value head serves H / G consecutive query heads. */
  private NDArray repeatKv(NDArray x_BGSC, AttentionContext ctx) {
    int groups = heads / kvHeads;
    if (groups == 1) {
      return x_BGSC;
    }
    Shape expanded = new Shape(ctx.batch(), kvHeads, groups, ctx.seq(), headDim);
    return x_BGSC
        .expandDims(2)
        .broadcast(expanded)
        .reshape(new Shape(ctx.batch(), heads, ctx.seq(), headDim));
  }
}
