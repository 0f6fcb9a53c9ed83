package ai.llep.models.family;

/**
 * The Hugging Face checkpoint name of every tensor of a family, e.g. {@code
 * model.layers.3.block_sparse_moe.experts.5.w1.weight} (Mixtral) or {@code
 * model.layers.3.mlp.experts.5.gate_proj.weight} (Qwen3-MoE, OLMoE). Mixtral's {@code w1} is the
 * gate projection, {@code w3} the up projection and {@code w2} the down projection.
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
    return moe(layer) + "gate.weight";
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

  /** One expert's weight for {@code proj}: gate, up or down. */
  public String expertWeight(int layer, int expert, String proj) {
    return expert(layer, expert) + expertProjection(proj) + ".weight";
  }

  /**
   * The name of the stacked parameter that holds experts {@code [first, end)} of a layer for {@code
   * proj} (gate, up or down), e.g. {@code model.layers.3.mlp.experts.4-7.gate_proj.weight}. Not a
   * checkpoint name: checkpoints hold one tensor per expert.
   */
  public String expertStack(int layer, String proj, int first, int end) {
    if (first < 0 || end <= first) {
      throw new IllegalArgumentException("expert range [" + first + ", " + end + ") is empty");
    }
    return moe(layer)
        + "experts."
        + first
        + "-"
        + (end - 1)
        + "."
        + expertProjection(proj)
        + ".weight";
  }

  private String expertProjection(String proj) {
    boolean mixtral = family == ModelFamily.MIXTRAL;
    return switch (proj) {
      case "gate" -> mixtral ? "w1" : "gate_proj";
      case "up" -> mixtral ? "w3" : "up_proj";
      case "down" -> mixtral ? "w2" : "down_proj";
      default ->
          throw new IllegalArgumentException(
              "expert projection must be gate, up or down, got " + proj);
    };
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
    return layer(layer) + (family == ModelFamily.MIXTRAL ? "block_sparse_moe." : "mlp.");
  }

  private String expert(int layer, int expert) {
    if (expert < 0) {
      throw new IllegalArgumentException("expert must be >= 0, got " + expert);
    }
    return moe(layer) + "experts." + expert + ".";
  }
}
