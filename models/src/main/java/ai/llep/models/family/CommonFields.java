package ai.llep.models.family;

import java.util.List;

/**
 * The {@code config.json} fields every family reads the same way, with the family's defaults
 * (transformers' config class defaults), and the one place a {@link ModelConfig} is put together
 * from them and the family's own fields.
 *
 * @param headDim {@code head_dim}, or {@code hidden_size / num_attention_heads} where absent
 * @param ropeTheta {@code rope_theta}, at the top level (transformers 4) or in {@code
 *     rope_parameters} (transformers 5)
 */
public record CommonFields(
    int vocab,
    int hidden,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    double eps,
    double ropeTheta,
    int maxPositions,
    boolean tie,
    double initializerRange) {

  /** The defaults of one family's config class; {@code kvHeads} 0 means "as many as heads". */
  public record Defaults(
      int vocab,
      int hidden,
      int intermediate,
      int layers,
      int heads,
      int kvHeads,
      int maxPositions,
      double eps,
      double theta,
      int experts,
      int topK) {}

  /** What a family sets beyond the common fields; {@link #plain} for the SwiGLU families. */
  public record Features(
      RopeScaling rope, List<Integer> slidingWindows, boolean attentionSinks, boolean routerBias) {
    /** Plain RoPE, full attention in every layer, no sinks, no router bias. */
    public static Features plain(int layers) {
      return new Features(RopeScaling.NONE, java.util.Collections.nCopies(layers, 0), false, false);
    }
  }

  /** Reads the common fields of {@code f} with the family defaults {@code d}. */
  public static CommonFields read(ConfigFields f, Defaults d) {
    int hidden = f.integer("hidden_size", d.hidden());
    int heads = f.integer("num_attention_heads", d.heads());
    int kvHeads =
        f.has("num_key_value_heads")
            ? f.integer("num_key_value_heads", 0)
            : (d.kvHeads() == 0 || f.isNull("num_key_value_heads") ? heads : d.kvHeads());
    return new CommonFields(
        f.integer("vocab_size", d.vocab()),
        hidden,
        f.integer("num_hidden_layers", d.layers()),
        heads,
        kvHeads,
        headDim(f, hidden, heads),
        f.number("rms_norm_eps", d.eps()),
        f.number("rope_theta", d.theta()),
        f.integer("max_position_embeddings", d.maxPositions()),
        f.bool("tie_word_embeddings", false),
        f.number("initializer_range", 0.02));
  }

  /**
   * The config of {@code family} with these common fields, the family's own ones and plain RoPE.
   */
  public ModelConfig config(
      ModelFamily family,
      int denseFfn,
      int expertFfn,
      int experts,
      int topK,
      boolean renormalize,
      boolean attentionBias,
      QkNorm qkNorm,
      double clipQkv,
      List<Integer> denseLayers,
      double theta,
      Features features) {
    return new ModelConfig(
        family,
        vocab,
        hidden,
        layers,
        heads,
        kvHeads,
        headDim,
        denseFfn,
        expertFfn,
        experts,
        topK,
        renormalize,
        eps,
        theta,
        maxPositions,
        tie,
        attentionBias,
        qkNorm,
        clipQkv,
        initializerRange,
        denseLayers,
        features.rope(),
        features.slidingWindows(),
        features.attentionSinks(),
        features.routerBias());
  }

  private static int headDim(ConfigFields f, int hidden, int heads) {
    if (f.has("head_dim")) {
      return f.integer("head_dim", 0);
    }
    if (heads < 1 || hidden % heads != 0) {
      throw new IllegalArgumentException(
          "hidden_size ("
              + hidden
              + ") must be divisible by num_attention_heads ("
              + heads
              + ") when head_dim is not given");
    }
    return hidden / heads;
  }

  /** The expert count under either of the names Hugging Face maps onto each other. */
  public static int experts(ConfigFields f, String name, String alias, int fallback) {
    if (f.has(name) && f.has(alias) && f.integer(name, 0) != f.integer(alias, 0)) {
      throw new IllegalArgumentException(
          name
              + " ("
              + f.integer(name, 0)
              + ") and "
              + alias
              + " ("
              + f.integer(alias, 0)
              + ") disagree");
    }
    return f.has(name) ? f.integer(name, fallback) : f.integer(alias, fallback);
  }

  /**
   * {@code rope_theta}, from the top level (transformers 4) or from {@code rope_parameters}
   * (transformers 5), for families that implement only the default RoPE type.
   */
  public double plainRopeTheta(ConfigFields f) {
    double theta = ropeTheta;
    for (String block : List.of("rope_scaling", "rope_parameters")) {
      ConfigFields rope = f.object(block);
      if (rope == null) {
        continue;
      }
      String type = rope.string("rope_type", rope.string("type", "default"));
      if (!type.equals("default")) {
        throw new IllegalArgumentException(
            rope.name("rope_type") + " '" + type + "' is not supported; only default RoPE is");
      }
      theta = rope.number("rope_theta", theta);
    }
    return theta;
  }
}
