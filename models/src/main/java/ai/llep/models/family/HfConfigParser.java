package ai.llep.models.family;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelConfig}, with the field names and
 * defaults of transformers' {@code MixtralConfig}, {@code Qwen3MoeConfig} and {@code OlmoeConfig}.
 * Features this project does not implement (sliding-window attention, scaled or partial RoPE,
 * activations other than SiLU) are refused by name rather than silently ignored; router
 * auxiliary-loss settings are ignored.
 */
public final class HfConfigParser {
  /** The defaults of one family's config class; {@code kvHeads} 0 means "as many as heads". */
  private record Defaults(
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

  private static final Defaults MIXTRAL =
      new Defaults(32000, 4096, 14336, 32, 32, 8, 4096 * 32, 1e-5, 1e6, 8, 2);
  private static final Defaults QWEN3_MOE =
      new Defaults(151936, 2048, 6144, 24, 32, 4, 32768, 1e-6, 10000.0, 128, 8);
  private static final Defaults OLMOE =
      new Defaults(50304, 2048, 2048, 16, 16, 0, 4096, 1e-5, 10000.0, 64, 8);

  private HfConfigParser() {}

  /** Parses {@code config.json} at {@code file}; errors name the file. */
  public static ModelConfig read(Path file) throws IOException {
    String json = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file.getFileName() + ": " + e.getMessage(), e);
    }
  }

  /** Parses the text of a {@code config.json}. */
  public static ModelConfig parse(String json) {
    JsonElement root;
    try {
      root = JsonParser.parseString(json);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("config.json is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isJsonObject()) {
      throw new IllegalArgumentException("config.json must hold a JSON object, got " + root);
    }
    ConfigFields f = new ConfigFields(root.getAsJsonObject(), "");
    if (!f.has("model_type")) {
      throw new IllegalArgumentException(
          "config.json has no model_type; supported: mixtral, qwen3_moe, olmoe");
    }
    ModelFamily family = ModelFamily.ofModelType(f.string("model_type", ""));
    checkSupported(f);
    return switch (family) {
      case MIXTRAL -> mixtral(f);
      case QWEN3_MOE -> qwen3Moe(f);
      case OLMOE -> olmoe(f);
    };
  }

  private static ModelConfig mixtral(ConfigFields f) {
    if (f.has("sliding_window")) {
      throw new IllegalArgumentException(
          "sliding_window "
              + f.integer("sliding_window", 0)
              + " is not supported: attention here is full causal (use null)");
    }
    Shared s = Shared.read(f, MIXTRAL);
    int experts = experts(f, "num_local_experts", "num_experts", MIXTRAL.experts());
    int intermediate = f.integer("intermediate_size", MIXTRAL.intermediate());
    return s.config(
        ModelFamily.MIXTRAL,
        intermediate,
        intermediate,
        experts,
        f.integer("num_experts_per_tok", MIXTRAL.topK()),
        true,
        false,
        QkNorm.NONE,
        0.0,
        List.of());
  }

  private static ModelConfig qwen3Moe(ConfigFields f) {
    if (f.bool("use_sliding_window", false)) {
      throw new IllegalArgumentException(
          "use_sliding_window true is not supported: attention here is full causal");
    }
    Shared s = Shared.read(f, QWEN3_MOE);
    int experts = experts(f, "num_experts", "num_local_experts", QWEN3_MOE.experts());
    int step = f.integer("decoder_sparse_step", 1);
    if (step < 1) {
      throw new IllegalArgumentException("decoder_sparse_step must be >= 1, got " + step);
    }
    List<Integer> mlpOnly = f.integers("mlp_only_layers");
    List<Integer> dense = new ArrayList<>();
    for (int layer = 0; layer < s.layers; layer++) {
      boolean sparse = !mlpOnly.contains(layer) && experts > 0 && (layer + 1) % step == 0;
      if (!sparse) {
        dense.add(layer);
      }
    }
    for (int layer : mlpOnly) {
      if (layer < 0 || layer >= s.layers) {
        throw new IllegalArgumentException(
            "mlp_only_layers entries must be in [0, num_hidden_layers = "
                + s.layers
                + "), got "
                + layer);
      }
    }
    return s.config(
        ModelFamily.QWEN3_MOE,
        f.integer("intermediate_size", QWEN3_MOE.intermediate()),
        f.integer("moe_intermediate_size", 768),
        experts,
        f.integer("num_experts_per_tok", QWEN3_MOE.topK()),
        f.bool("norm_topk_prob", false),
        f.bool("attention_bias", false),
        QkNorm.PER_HEAD,
        0.0,
        dense);
  }

  private static ModelConfig olmoe(ConfigFields f) {
    Shared s = Shared.read(f, OLMOE);
    int experts = experts(f, "num_experts", "num_local_experts", OLMOE.experts());
    double clip = 0.0;
    if (f.has("clip_qkv")) {
      clip = f.number("clip_qkv", 0.0);
      if (!(clip > 0)) {
        throw new IllegalArgumentException("clip_qkv must be > 0 or null, got " + clip);
      }
    }
    int intermediate = f.integer("intermediate_size", OLMOE.intermediate());
    return s.config(
        ModelFamily.OLMOE,
        intermediate,
        intermediate,
        experts,
        f.integer("num_experts_per_tok", OLMOE.topK()),
        f.bool("norm_topk_prob", false),
        f.bool("attention_bias", false),
        QkNorm.FULL,
        clip,
        List.of());
  }

  /** The fields every family reads the same way. */
  private record Shared(
      int vocab,
      int hidden,
      int layers,
      int heads,
      int kvHeads,
      int headDim,
      double eps,
      double theta,
      int maxPositions,
      boolean tie,
      double initializerRange) {
    /** The config of {@code family} with these shared fields and the family's own ones. */
    ModelConfig config(
        ModelFamily family,
        int denseFfn,
        int expertFfn,
        int experts,
        int topK,
        boolean renormalize,
        boolean attentionBias,
        QkNorm qkNorm,
        double clipQkv,
        List<Integer> denseLayers) {
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
          denseLayers);
    }

    static Shared read(ConfigFields f, Defaults d) {
      int hidden = f.integer("hidden_size", d.hidden());
      int heads = f.integer("num_attention_heads", d.heads());
      int kvHeads =
          f.has("num_key_value_heads")
              ? f.integer("num_key_value_heads", 0)
              : (d.kvHeads() == 0 || f.isNull("num_key_value_heads") ? heads : d.kvHeads());
      return new Shared(
          f.integer("vocab_size", d.vocab()),
          hidden,
          f.integer("num_hidden_layers", d.layers()),
          heads,
          kvHeads,
          HfConfigParser.headDim(f, hidden, heads),
          f.number("rms_norm_eps", d.eps()),
          ropeTheta(f, d.theta()),
          f.integer("max_position_embeddings", d.maxPositions()),
          f.bool("tie_word_embeddings", false),
          f.number("initializer_range", 0.02));
    }
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
  private static int experts(ConfigFields f, String name, String alias, int fallback) {
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
   * (transformers 5); only the default RoPE type is implemented.
   */
  private static double ropeTheta(ConfigFields f, double fallback) {
    double theta = f.number("rope_theta", fallback);
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

  private static void checkSupported(ConfigFields f) {
    String activation = f.string("hidden_act", "silu");
    if (!activation.equals("silu")) {
      throw new IllegalArgumentException(
          "hidden_act '" + activation + "' is not supported; the SwiGLU MLPs here use silu");
    }
    double partial = f.number("partial_rotary_factor", 1.0);
    if (partial != 1.0) {
      throw new IllegalArgumentException(
          "partial_rotary_factor " + partial + " is not supported; only 1.0 is");
    }
  }
}
