package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.family.QkNorm;
import ai.llep.tape.Scalars;

/**
 * Causal self-attention with grouped-query heads (H query heads share G key/value heads, head h
 * reading key/value head h / (H / G)), rotary embeddings, the family's query/key norm and OLMoE's
 * optional q/k/v clipping, in Hugging Face's order: project, full-projection norm, clip, split
 * heads, per-head norm, rotate, attend with scale 1 / sqrt(C) within each segment ({@link
 * ScaledDotProduct}: libtorch's fused kernels, whose softmax accumulates in float32), merge heads,
 * project out. Layers with attention sinks or a sliding window (gpt-oss) attend through {@link
 * SinkAttention}'s explicit math instead.
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
  private final NDArray sinks_H;
  private final int window;

  /**
   * @param qNorm the query norm, null when {@code normKind} is NONE
   * @param kNorm the key norm, null when {@code normKind} is NONE
   * @param clip bound on |q|, |k|, |v| after the norms; 0 for none
   * @param sinks_H each head's sink logit, or null for none
   * @param window how many positions a query sees, itself included; 0 for all earlier ones
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
      double clip,
      NDArray sinks_H,
      int window) {
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
    this.sinks_H = sinks_H;
    this.window = window;
  }

  /** Whether this layer attends with explicit math (sinks or a window), not libtorch's kernels. */
  public boolean explicit() {
    return sinks_H != null || window > 0;
  }

  public int window() {
    return window;
  }

  /** {@code x_TD} (the batch's tokens, row-major) to the attention output [T, D]. */
  public NDArray forward(NDArray x_TD, AttentionContext ctx) {
    Heads h = heads(x_TD, ctx.batch(), ctx.seq(), ctx.rope());
    double scale = 1.0 / Math.sqrt(headDim);
    NDArray out_TQ =
        explicit()
            ? SinkAttention.attend(
                h.q_BHSC(), h.k_BGSC(), h.v_BGSC(), sinks_H, scale, ctx.bias(window))
            : ScaledDotProduct.attend(h.q_BHSC(), h.k_BGSC(), h.v_BGSC(), scale, ctx);
    return o.forward(out_TQ);
  }

  /**
   * The attention output [T, D] of {@code x_TD}, the pass's new positions, over themselves and the
   * earlier positions in {@code cache} (for a sliding-window layer, those inside its window); their
   * keys and values are written to the cache.
   */
  public NDArray forwardCached(NDArray x_TD, CachedAttentionContext ctx, LayerKv cache) {
    Heads h = heads(x_TD, ctx.batch(), ctx.seq(), ctx.rope());
    LayerKv.Filled kv = cache.append(h.k_BGSC(), h.v_BGSC(), ctx.start(), x_TD.getManager());
    double scale = 1.0 / Math.sqrt(headDim);
    NDArray out_TQ =
        explicit()
            ? SinkAttention.attend(
                h.q_BHSC(), kv.k_BGLC(), kv.v_BGLC(), sinks_H, scale, ctx.bias(window))
            : ScaledDotProduct.attendCached(h.q_BHSC(), kv.k_BGLC(), kv.v_BGLC(), scale, ctx);
    return o.forward(out_TQ);
  }

  /** The rotated queries and keys and the values of one pass, split into heads. */
  private record Heads(NDArray q_BHSC, NDArray k_BGSC, NDArray v_BGSC) {}

  private Heads heads(NDArray x_TD, int batch, int seq, RopeTables rope) {
    NDArray q_TQ = q.forward(x_TD);
    NDArray k_TK = k.forward(x_TD);
    NDArray v_TK = v.forward(x_TD);
    if (normKind == QkNorm.FULL) {
      q_TQ = qNorm.forward(q_TQ);
      k_TK = kNorm.forward(k_TK);
    }
    if (clip > 0) {
      q_TQ = Scalars.clip(q_TQ, -clip, clip);
      k_TK = Scalars.clip(k_TK, -clip, clip);
      v_TK = Scalars.clip(v_TK, -clip, clip);
    }
    NDArray q_BHSC = splitHeads(q_TQ, heads, batch, seq, qNorm);
    NDArray k_BGSC = splitHeads(k_TK, kvHeads, batch, seq, kNorm);
    NDArray v_BGSC = splitHeads(v_TK, kvHeads, batch, seq, null);
    return new Heads(
        RotaryEmbedding.apply(q_BHSC, rope), RotaryEmbedding.apply(k_BGSC, rope), v_BGSC);
  }

  /** [T, n * C] to [B, n, S, C], normalising each head when the family does so per head. */
  private NDArray splitHeads(NDArray x_TN, int n, int batch, int seq, RmsNorm norm) {
    NDArray x_BSNC = x_TN.reshape(new Shape(batch, seq, n, headDim));
    if (normKind == QkNorm.PER_HEAD && norm != null) {
      x_BSNC = norm.forward(x_BSNC);
    }
    return x_BSNC.transpose(0, 2, 1, 3);
  }
}
