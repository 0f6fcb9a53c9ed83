package ai.llep.models;

import ai.llep.models.family.HfConfigParser;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TensorNames;
import java.util.SplittableRandom;

/** Small configs of each family and random checkpoints for them. */
final class TestModels {
  private TestModels() {}

  /** Mixtral: no q/k norm, no biases, untied head, always-renormalised routing. */
  static final String MIXTRAL =
      """
      {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "vocab_size": 32,
       "hidden_size": 16, "intermediate_size": 12, "num_hidden_layers": 2,
       "num_attention_heads": 4, "num_key_value_heads": 2, "num_local_experts": 4,
       "num_experts_per_tok": 2, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
       "sliding_window": null, "tie_word_embeddings": false, "hidden_act": "silu",
       "max_position_embeddings": 64, "router_aux_loss_coef": 0.02}
      """;

  /**
   * Qwen3-MoE: per-head q/k norms, head_dim 8 with 4 heads (q width 32, not hidden 16), layer 0
   * dense through mlp_only_layers, attention biases, tied head, renormalised routing.
   */
  static final String QWEN3_MOE =
      """
      {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "vocab_size": 32,
       "hidden_size": 16, "intermediate_size": 24, "moe_intermediate_size": 8,
       "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
       "head_dim": 8, "num_experts": 4, "num_experts_per_tok": 2, "norm_topk_prob": true,
       "decoder_sparse_step": 1, "mlp_only_layers": [0], "attention_bias": true,
       "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "rope_scaling": null,
       "use_sliding_window": false, "sliding_window": null, "tie_word_embeddings": true,
       "max_position_embeddings": 64, "hidden_act": "silu"}
      """;

  /** OLMoE: q/k norms over the whole projection, clip_qkv active, unnormalised top-k weights. */
  static final String OLMOE =
      """
      {"architectures": ["OlmoeForCausalLM"], "model_type": "olmoe", "vocab_size": 32,
       "hidden_size": 16, "intermediate_size": 10, "num_hidden_layers": 2,
       "num_attention_heads": 4, "num_key_value_heads": 2, "num_experts": 4,
       "num_experts_per_tok": 2, "norm_topk_prob": false, "clip_qkv": 1.5,
       "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "attention_bias": false,
       "tie_word_embeddings": false, "max_position_embeddings": 64, "hidden_act": "silu"}
      """;

  /**
   * gpt-oss: attention sinks, layer 0 sliding with a window of 3 and layer 1 full, YaRN, q/k/v/o
   * biases, a biased router and biased, clamped experts with gate and up interleaved.
   */
  static final String GPT_OSS =
      """
      {"architectures": ["GptOssForCausalLM"], "model_type": "gpt_oss", "vocab_size": 32,
       "hidden_size": 16, "intermediate_size": 8, "num_hidden_layers": 2,
       "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
       "num_local_experts": 4, "num_experts_per_tok": 2, "rms_norm_eps": 1e-05,
       "attention_bias": true, "sliding_window": 3,
       "layer_types": ["sliding_attention", "full_attention"],
       "rope_parameters": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0,
         "beta_fast": 32.0, "beta_slow": 1.0, "truncate": false,
         "original_max_position_embeddings": 16},
       "tie_word_embeddings": false, "max_position_embeddings": 64}
      """;

  static ModelConfig config(String json) {
    return HfConfigParser.parse(json);
  }

  /**
   * A random checkpoint with every value non-trivial: norms around 1, biases around 0, weights of
   * std 0.3, embeddings and routers wider so that routing is decisive.
   */
  static InMemoryTensorSource checkpoint(ModelConfig config, long seed) {
    InMemoryTensorSource source = new InMemoryTensorSource();
    TensorNames names = new TensorNames(config.family());
    for (TensorSpec spec : TensorLayout.all(config)) {
      SplittableRandom random = new SplittableRandom(seed ^ spec.name().hashCode() * 31L);
      double mean = spec.init() == TensorSpec.Init.ONES ? 1.0 : 0.0;
      double std =
          switch (spec.init()) {
            case ONES -> 0.2;
            case ZEROS -> 0.1;
            case NORMAL -> spec.kind() == ParameterKind.ROUTER ? 0.8 : 0.3;
          };
      if (spec.name().equals(names.embedding())) {
        std = 1.0;
      }
      float[] values = new float[Math.toIntExact(spec.shape().size())];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (mean + std * random.nextGaussian());
      }
      source.put(spec.name(), spec.shape(), values);
    }
    return source;
  }

  /** Random token ids [rows, seq] below {@code vocab}. */
  static int[][] tokens(long seed, int rows, int seq, int vocab) {
    SplittableRandom random = new SplittableRandom(seed);
    int[][] ids = new int[rows][seq];
    for (int[] row : ids) {
      for (int s = 0; s < seq; s++) {
        row[s] = random.nextInt(vocab);
      }
    }
    return ids;
  }
}
