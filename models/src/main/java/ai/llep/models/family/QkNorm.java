package ai.llep.models.family;

/** Where a family applies RMSNorm to the attention queries and keys, before rotary embedding. */
public enum QkNorm {
  /** No query/key norm (Mixtral). */
  NONE,
  /** One RMSNorm over each head's {@code head_dim} values, shared by all heads (Qwen3-MoE). */
  PER_HEAD,
  /**
   * One RMSNorm over the whole projection: [heads * head_dim] for q, [kv_heads * head_dim] for k
   * (OLMoE).
   */
  FULL
}
