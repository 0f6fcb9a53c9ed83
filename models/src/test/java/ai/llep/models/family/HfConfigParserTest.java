package ai.llep.models.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config.json of each family, Hugging Face's defaults, and the errors for what is not supported.
 */
class HfConfigParserTest {
  /** Mixtral-8x7B-v0.1's config.json. */
  private static final String MIXTRAL_8X7B =
      """
      {
        "architectures": ["MixtralForCausalLM"],
        "attention_dropout": 0.0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": 4096,
        "initializer_range": 0.02,
        "intermediate_size": 14336,
        "max_position_embeddings": 32768,
        "model_type": "mixtral",
        "num_attention_heads": 32,
        "num_experts_per_tok": 2,
        "num_hidden_layers": 32,
        "num_key_value_heads": 8,
        "num_local_experts": 8,
        "output_router_logits": false,
        "rms_norm_eps": 1e-05,
        "rope_theta": 1000000.0,
        "router_aux_loss_coef": 0.02,
        "sliding_window": null,
        "tie_word_embeddings": false,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.36.0.dev0",
        "use_cache": true,
        "vocab_size": 32000
      }
      """;

  /** A Qwen3-30B-A3B-shaped config.json (transformers 4 field names). */
  private static final String QWEN3_30B_A3B =
      """
      {
        "architectures": ["Qwen3MoeForCausalLM"],
        "attention_bias": false,
        "decoder_sparse_step": 1,
        "head_dim": 128,
        "hidden_act": "silu",
        "hidden_size": 2048,
        "intermediate_size": 6144,
        "max_position_embeddings": 40960,
        "max_window_layers": 48,
        "mlp_only_layers": [],
        "model_type": "qwen3_moe",
        "moe_intermediate_size": 768,
        "norm_topk_prob": true,
        "num_attention_heads": 32,
        "num_experts": 128,
        "num_experts_per_tok": 8,
        "num_hidden_layers": 48,
        "num_key_value_heads": 4,
        "rms_norm_eps": 1e-06,
        "rope_scaling": null,
        "rope_theta": 1000000.0,
        "sliding_window": null,
        "tie_word_embeddings": false,
        "use_sliding_window": false,
        "vocab_size": 151936
      }
      """;

  /** OLMoE-1B-7B-0924's config.json. */
  private static final String OLMOE_1B_7B =
      """
      {
        "architectures": ["OlmoeForCausalLM"],
        "attention_bias": false,
        "clip_qkv": null,
        "eos_token_id": 50279,
        "hidden_act": "silu",
        "hidden_size": 2048,
        "initializer_range": 0.02,
        "intermediate_size": 1024,
        "max_position_embeddings": 4096,
        "model_type": "olmoe",
        "norm_topk_prob": false,
        "num_attention_heads": 16,
        "num_experts": 64,
        "num_experts_per_tok": 8,
        "num_hidden_layers": 16,
        "num_key_value_heads": 16,
        "pad_token_id": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": null,
        "rope_theta": 10000.0,
        "tie_word_embeddings": false,
        "vocab_size": 50304
      }
      """;

  @Test
  void readsMixtral() {
    ModelConfig c = HfConfigParser.parse(MIXTRAL_8X7B);
    assertEquals(ModelFamily.MIXTRAL, c.family());
    assertEquals(32000, c.vocabSize());
    assertEquals(4096, c.hiddenSize());
    assertEquals(32, c.numLayers());
    assertEquals(32, c.numHeads());
    assertEquals(8, c.numKvHeads());
    assertEquals(128, c.headDim());
    assertEquals(14336, c.moeIntermediateSize());
    assertEquals(8, c.numExperts());
    assertEquals(2, c.topK());
    assertTrue(c.normTopKProb(), "Mixtral always renormalises the top-k weights");
    assertEquals(1e6, c.ropeTheta());
    assertEquals(1e-5, c.rmsNormEps());
    assertEquals(32768, c.maxPositions());
    assertEquals(QkNorm.NONE, c.qkNorm());
    assertFalse(c.attentionBias());
    assertFalse(c.tieEmbeddings());
    assertEquals(List.of(), c.denseLayers());
  }

  @Test
  void readsQwen3MoeWithAHeadDimOtherThanHiddenOverHeads() {
    ModelConfig c = HfConfigParser.parse(QWEN3_30B_A3B);
    assertEquals(ModelFamily.QWEN3_MOE, c.family());
    assertEquals(128, c.headDim());
    assertEquals(4, c.numKvHeads());
    assertEquals(6144, c.intermediateSize());
    assertEquals(768, c.moeIntermediateSize());
    assertEquals(128, c.numExperts());
    assertEquals(8, c.topK());
    assertTrue(c.normTopKProb());
    assertEquals(1e-6, c.rmsNormEps());
    assertEquals(QkNorm.PER_HEAD, c.qkNorm());
    assertEquals(List.of(), c.denseLayers());
  }

  @Test
  void qwen3DenseLayersComeFromMlpOnlyLayersAndTheSparseStep() {
    ModelConfig c =
        HfConfigParser.parse(
            """
            {"model_type": "qwen3_moe", "num_hidden_layers": 6, "decoder_sparse_step": 2,
             "mlp_only_layers": [3], "hidden_size": 64, "num_attention_heads": 4,
             "num_key_value_heads": 2, "num_experts": 4, "num_experts_per_tok": 2}
            """);
    // Sparse where (layer + 1) % 2 == 0, unless listed: layers 1 and 5; 3 is listed.
    assertEquals(List.of(0, 2, 3, 4), c.denseLayers());
    assertTrue(c.isMoeLayer(1));
    assertFalse(c.isMoeLayer(3));
    assertEquals(16, c.headDim(), "hidden_size / num_attention_heads without head_dim");
  }

  @Test
  void readsTransformers5Names() {
    ModelConfig c =
        HfConfigParser.parse(
            """
            {"model_type": "qwen3_moe", "num_local_experts": 16, "num_experts_per_tok": 4,
             "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0},
             "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 4}
            """);
    assertEquals(16, c.numExperts());
    assertEquals(1e6, c.ropeTheta());
  }

  @Test
  void readsOlmoe() {
    ModelConfig c = HfConfigParser.parse(OLMOE_1B_7B);
    assertEquals(ModelFamily.OLMOE, c.family());
    assertEquals(16, c.numKvHeads());
    assertEquals(128, c.headDim());
    assertEquals(1024, c.moeIntermediateSize());
    assertEquals(64, c.numExperts());
    assertEquals(8, c.topK());
    assertFalse(c.normTopKProb());
    assertEquals(QkNorm.FULL, c.qkNorm());
    assertEquals(0.0, c.clipQkv());
    assertEquals(10000.0, c.ropeTheta());
  }

  @Test
  void appliesEachFamilysDefaults() {
    ModelConfig mixtral = HfConfigParser.parse("{\"model_type\": \"mixtral\"}");
    assertEquals(32000, mixtral.vocabSize());
    assertEquals(8, mixtral.numKvHeads());
    assertEquals(131072, mixtral.maxPositions());
    assertEquals(1e6, mixtral.ropeTheta());
    ModelConfig qwen = HfConfigParser.parse("{\"model_type\": \"qwen3_moe\"}");
    assertEquals(151936, qwen.vocabSize());
    assertEquals(128, qwen.numExperts());
    assertEquals(768, qwen.moeIntermediateSize());
    assertEquals(64, qwen.headDim());
    assertFalse(qwen.normTopKProb());
    assertEquals(10000.0, qwen.ropeTheta());
    ModelConfig olmoe = HfConfigParser.parse("{\"model_type\": \"olmoe\"}");
    assertEquals(16, olmoe.numKvHeads(), "num_key_value_heads defaults to num_attention_heads");
    assertEquals(64, olmoe.numExperts());
    assertEquals(0.02, olmoe.initializerRange());
    ModelConfig nullKv =
        HfConfigParser.parse("{\"model_type\": \"mixtral\", \"num_key_value_heads\": null}");
    assertEquals(32, nullKv.numKvHeads(), "null means as many as the attention heads");
  }

  @Test
  void readsOlmoeClipping() {
    ModelConfig c = HfConfigParser.parse("{\"model_type\": \"olmoe\", \"clip_qkv\": 8.0}");
    assertEquals(8.0, c.clipQkv());
  }

  @Test
  void refusesAnUnsupportedModelType() {
    assertError(
        "{\"model_type\": \"llama\"}",
        "unsupported model_type 'llama'; supported: mixtral, qwen3_moe, olmoe, gpt_oss");
    assertError("{\"hidden_size\": 8}", "config.json has no model_type");
    assertError("[1, 2]", "config.json must hold a JSON object");
    assertError("{\"model_type\": ", "config.json is not valid JSON");
  }

  @Test
  void namesTheFieldOfAnInconsistentValue() {
    assertError(
        "{\"model_type\": \"mixtral\", \"hidden_size\": 100, \"num_attention_heads\": 8}",
        "hidden_size (100) must be divisible by num_attention_heads (8) when head_dim is not"
            + " given");
    assertError(
        "{\"model_type\": \"mixtral\", \"num_attention_heads\": 32, \"num_key_value_heads\": 6}",
        "num_key_value_heads (6) must divide num_attention_heads (32)");
    assertError(
        "{\"model_type\": \"olmoe\", \"num_experts\": 4, \"num_experts_per_tok\": 8}",
        "num_experts_per_tok must be in [1, num_experts = 4], got 8");
    assertError(
        "{\"model_type\": \"mixtral\", \"hidden_size\": \"big\"}",
        "config.json field hidden_size must be an integer, got \"big\"");
    assertError(
        "{\"model_type\": \"qwen3_moe\", \"num_hidden_layers\": 4, \"mlp_only_layers\": [4]}",
        "mlp_only_layers entries must be in [0, num_hidden_layers = 4), got 4");
    assertError(
        "{\"model_type\": \"qwen3_moe\", \"decoder_sparse_step\": 0}",
        "decoder_sparse_step must be >= 1, got 0");
    assertError(
        "{\"model_type\": \"olmoe\", \"num_experts\": 8, \"num_local_experts\": 16}",
        "num_experts (8) and num_local_experts (16) disagree");
    assertError("{\"model_type\": \"olmoe\", \"rms_norm_eps\": 0}", "rms_norm_eps must be finite");
    assertError(
        "{\"model_type\": \"olmoe\", \"head_dim\": 64}",
        "head_dim (64) times num_attention_heads (16) must equal hidden_size (2048) for olmoe");
  }

  @Test
  void refusesFeaturesThatAreNotImplemented() {
    assertError(
        "{\"model_type\": \"mixtral\", \"sliding_window\": 4096}",
        "sliding_window 4096 is not supported");
    assertError(
        "{\"model_type\": \"qwen3_moe\", \"use_sliding_window\": true}",
        "use_sliding_window true is not supported");
    assertError(
        "{\"model_type\": \"qwen3_moe\", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\":"
            + " 4}}",
        "rope_scaling.rope_type 'yarn' is not supported; only default RoPE is");
    assertError(
        "{\"model_type\": \"mixtral\", \"hidden_act\": \"gelu\"}",
        "hidden_act 'gelu' is not supported");
  }

  @Test
  void checksThatExpertsSplitOverTheRanks() {
    ModelConfig c = HfConfigParser.parse(MIXTRAL_8X7B);
    c.checkRanks(4);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> c.checkRanks(3));
    assertEquals(
        "num_experts (8) must be divisible by the world size (3) so that every rank owns the same"
            + " number of experts",
        e.getMessage());
  }

  @Test
  void tinyMoeIsTheDocumentedModel() {
    ModelConfig c = TinyMoe.config();
    assertEquals(ModelFamily.MIXTRAL, c.family());
    assertEquals(4, c.numLayers());
    assertEquals(128, c.hiddenSize());
    assertEquals(8, c.numExperts());
    assertEquals(2, c.topK());
    assertEquals(261, c.vocabSize());
    assertTrue(c.vocabSize() > TinyMoe.PAD);
    assertTrue(c.tieEmbeddings());
  }

  @Test
  void readsAFileAndNamesItInErrors(@TempDir Path dir) throws IOException {
    Path good = Files.writeString(dir.resolve("config.json"), OLMOE_1B_7B);
    assertEquals(ModelFamily.OLMOE, HfConfigParser.read(good).family());
    Path bad = Files.writeString(dir.resolve("broken.json"), "{\"model_type\": \"gpt2\"}");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HfConfigParser.read(bad));
    assertTrue(e.getMessage().startsWith("broken.json: unsupported model_type 'gpt2'"));
  }

  private static void assertError(String json, String expectedStart) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HfConfigParser.parse(json));
    assertTrue(
        e.getMessage().startsWith(expectedStart),
        "expected a message starting with <" + expectedStart + ">, got <" + e.getMessage() + ">");
  }
}
