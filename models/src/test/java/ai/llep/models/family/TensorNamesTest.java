package ai.llep.models.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Each family's checkpoint names, as Hugging Face writes them. */
class TensorNamesTest {
  @Test
  void mixtralExpertsAreW1W3W2UnderBlockSparseMoe() {
    TensorNames n = new TensorNames(ModelFamily.MIXTRAL);
    assertEquals("model.layers.2.block_sparse_moe.gate.weight", n.router(2));
    assertEquals("model.layers.2.block_sparse_moe.experts.5.w1.weight", n.expertGate(2, 5));
    assertEquals("model.layers.2.block_sparse_moe.experts.5.w3.weight", n.expertUp(2, 5));
    assertEquals("model.layers.2.block_sparse_moe.experts.5.w2.weight", n.expertDown(2, 5));
  }

  @Test
  void qwen3AndOlmoeExpertsAreProjectionsUnderMlp() {
    for (ModelFamily family : new ModelFamily[] {ModelFamily.QWEN3_MOE, ModelFamily.OLMOE}) {
      TensorNames n = new TensorNames(family);
      assertEquals("model.layers.0.mlp.gate.weight", n.router(0));
      assertEquals("model.layers.0.mlp.experts.7.gate_proj.weight", n.expertGate(0, 7));
      assertEquals("model.layers.0.mlp.experts.7.up_proj.weight", n.expertUp(0, 7));
      assertEquals("model.layers.0.mlp.experts.7.down_proj.weight", n.expertDown(0, 7));
      assertEquals("model.layers.0.self_attn.q_norm.weight", n.queryNorm(0));
      assertEquals("model.layers.0.self_attn.k_norm.weight", n.keyNorm(0));
    }
    assertEquals(
        "model.layers.1.mlp.gate_proj.weight",
        new TensorNames(ModelFamily.QWEN3_MOE).denseMlp(1, "gate"));
  }

  @Test
  void anExpertStackIsNamedByItsRangeOfExperts() {
    assertEquals(
        "model.layers.2.block_sparse_moe.experts.4-7.w2.weight",
        new TensorNames(ModelFamily.MIXTRAL).expertStack(2, "down", 4, 8));
    TensorNames qwen = new TensorNames(ModelFamily.QWEN3_MOE);
    assertEquals("model.layers.0.mlp.experts.0-0.up_proj.weight", qwen.expertStack(0, "up", 0, 1));
    assertEquals(
        "qwen3_moe expert projection must be one of [gate, up, down], got w1",
        assertThrows(IllegalArgumentException.class, () -> qwen.expertStack(0, "w1", 0, 2))
            .getMessage());
    assertEquals(
        "expert range [3, 3) is empty",
        assertThrows(IllegalArgumentException.class, () -> qwen.expertStack(0, "gate", 3, 3))
            .getMessage());
  }

  @Test
  void commonNames() {
    TensorNames n = new TensorNames(ModelFamily.OLMOE);
    assertEquals("model.embed_tokens.weight", n.embedding());
    assertEquals("model.norm.weight", n.finalNorm());
    assertEquals("lm_head.weight", n.lmHead());
    assertEquals("model.layers.3.input_layernorm.weight", n.inputNorm(3));
    assertEquals("model.layers.3.post_attention_layernorm.weight", n.postAttentionNorm(3));
    assertEquals("model.layers.3.self_attn.o_proj.weight", n.attention(3, 'o', "weight"));
    assertEquals("model.layers.3.self_attn.q_proj.bias", n.attention(3, 'q', "bias"));
  }
}
