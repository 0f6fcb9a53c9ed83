package ai.llep.models.family;

/**
 * The name of every tensor of a family's model, e.g. {@code
 * model.layers.3.block_sparse_moe.experts.5.w1.weight} (Mixtral) or {@code
 * model.layers.3.mlp.experts.5.gate_proj.weight} (Qwen3-MoE, OLMoE): the Hugging Face checkpoint
 * names, except for the experts of families that store a layer's experts stacked (gpt-oss), which
 * the model holds one per expert under names of the same pattern ({@code
 * model.layers.3.mlp.experts.5.gate_up_proj}). The family's {@link Family} supplies the MoE block's
 * path, the router's name and the expert projections' names.
 */
public record TensorNames(ModelFamily family) {
  public TensorNames {
    if (family == null) {
      throw new IllegalArgumentException("family must not be null");
    }
  }

  public String embedding() {
    return "model.embed_tokens.weight";
  }

  public String finalNorm() {
    return "model.norm.weight";
  }

  public String lmHead() {
    return "lm_head.weight";
  }

  public String inputNorm(int layer) {
    return layer(layer) + "input_layernorm.weight";
  }

  public String postAttentionNorm(int layer) {
    return layer(layer) + "post_attention_layernorm.weight";
  }

  /** {@code proj} is one of q, k, v, o; {@code suffix} is weight or bias. */
  public String attention(int layer, char proj, String suffix) {
    if ("qkvo".indexOf(proj) < 0) {
      throw new IllegalArgumentException("attention projection must be q, k, v or o, got " + proj);
    }
    return layer(layer) + "self_attn." + proj + "_proj." + suffix;
  }

  public String queryNorm(int layer) {
    return layer(layer) + "self_attn.q_norm.weight";
  }

  public String keyNorm(int layer) {
    return layer(layer) + "self_attn.k_norm.weight";
  }

  public String router(int layer) {
    return moe(layer) + family.definition().router() + ".weight";
  }

  /** The router's bias (gpt-oss). */
  public String routerBias(int layer) {
    return moe(layer) + family.definition().router() + ".bias";
  }

  /** The per-head attention sink logits (gpt-oss). */
  public String sinks(int layer) {
    return layer(layer) + "self_attn.sinks";
  }

  public String expertGate(int layer, int expert) {
    return expertWeight(layer, expert, "gate");
  }

  public String expertUp(int layer, int expert) {
    return expertWeight(layer, expert, "up");
  }

  public String expertDown(int layer, int expert) {
    return expertWeight(layer, expert, "down");
  }

  /** One expert's tensor for {@code proj}, one of the family's expert projections. */
  public String expertWeight(int layer, int expert, String proj) {
    return expert(layer, expert) + expertProjection(proj);
  }

  /**
   * The name of the stacked parameter that holds experts {@code [first, end)} of a layer for {@code
   * proj} (one of the family's expert projections), e.g. {@code
   * model.layers.3.mlp.experts.4-7.gate_proj.weight}. Not a checkpoint name: checkpoints hold one
   * tensor per expert.
   */
  public String expertStack(int layer, String proj, int first, int end) {
    if (first < 0 || end <= first) {
      throw new IllegalArgumentException("expert range [" + first + ", " + end + ") is empty");
    }
    return moe(layer) + "experts." + first + "-" + (end - 1) + "." + expertProjection(proj);
  }

  private String expertProjection(String proj) {
    Family definition = family.definition();
    if (!definition.expertProjections().contains(proj)) {
      throw new IllegalArgumentException(
          family.modelType()
              + " expert projection must be one of "
              + definition.expertProjections()
              + ", got "
              + proj);
    }
    return definition.expertTensor(proj);
  }

  /** The dense SwiGLU of a non-MoE layer; {@code proj} is gate, up or down. */
  public String denseMlp(int layer, String proj) {
    if (!proj.equals("gate") && !proj.equals("up") && !proj.equals("down")) {
      throw new IllegalArgumentException(
          "dense MLP projection must be gate, up or down, got " + proj);
    }
    return layer(layer) + "mlp." + proj + "_proj.weight";
  }

  private static String layer(int layer) {
    if (layer < 0) {
      throw new IllegalArgumentException("layer must be >= 0, got " + layer);
    }
    return "model.layers." + layer + ".";
  }

  private String moe(int layer) {
    return layer(layer) + family.definition().moeBlock();
  }

  private String expert(int layer, int expert) {
    if (expert < 0) {
      throw new IllegalArgumentException("expert must be >= 0, got " + expert);
    }
    return moe(layer) + "experts." + expert + ".";
  }
}
