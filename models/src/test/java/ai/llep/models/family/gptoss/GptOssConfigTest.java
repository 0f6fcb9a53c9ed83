package ai.llep.models.family.gptoss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.models.family.HfConfigParser;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.RopeScaling;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gpt_oss config.json fields read as transformers' {@code GptOssConfig} reads them. */
class GptOssConfigTest {
  @Test
  void theDefaultsAreGptOssConfigs() {
    ModelConfig c = HfConfigParser.parse("{\"model_type\": \"gpt_oss\", \"num_hidden_layers\": 4}");
    assertEquals(ModelFamily.GPT_OSS, c.family());
    assertEquals(64, c.headDim(), "head_dim 64, not hidden / heads");
    assertEquals(List.of(128, 0, 128, 0), c.slidingWindows(), "sliding first, then alternating");
    assertTrue(c.attentionSinks() && c.routerBias() && c.attentionBias() && c.normTopKProb());
    assertEquals(128, c.numExperts());
    assertEquals(4, c.topK());
    assertEquals(150000.0, c.ropeTheta());
    RopeScaling yarn = c.ropeScaling();
    assertEquals(RopeScaling.Type.YARN, yarn.type());
    assertEquals(32.0, yarn.factor());
    assertEquals(4096, yarn.originalMaxPositions());
    assertFalse(yarn.truncate());
    assertEquals(0.1 * Math.log(32) + 1, yarn.attentionFactor(), 1e-15);
  }

  @Test
  void layerTypesAndYarnFieldsAreRead() {
    ModelConfig c =
        HfConfigParser.parse(
            """
            {"model_type": "gpt_oss", "num_hidden_layers": 3, "sliding_window": 4,
             "layer_types": ["full_attention", "sliding_attention", "sliding_attention"],
             "rope_parameters": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0,
               "beta_fast": 16.0, "original_max_position_embeddings": 64, "attention_factor": 1.5}}
            """);
    assertEquals(List.of(0, 4, 4), c.slidingWindows());
    assertEquals(10000.0, c.ropeTheta());
    assertEquals(16.0, c.ropeScaling().betaFast());
    assertEquals(1.0, c.ropeScaling().betaSlow(), "beta_slow defaults to 1");
    assertTrue(c.ropeScaling().truncate(), "truncate defaults to true inside a yarn block");
    assertEquals(1.5, c.ropeScaling().attentionFactor());
  }

  @Test
  void unknownLayerTypesAndQuantizationsAreRefusedByName() {
    IllegalArgumentException layer =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HfConfigParser.parse(
                    "{\"model_type\": \"gpt_oss\", \"num_hidden_layers\": 2,"
                        + " \"layer_types\": [\"full_attention\", \"chunked_attention\"]}"));
    assertEquals(
        "layer_types[1] must be sliding_attention or full_attention, got 'chunked_attention'",
        layer.getMessage());
    IllegalArgumentException count =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HfConfigParser.parse(
                    "{\"model_type\": \"gpt_oss\", \"num_hidden_layers\": 2,"
                        + " \"layer_types\": [\"full_attention\"]}"));
    assertEquals(
        "layer_types has 1 entries, but num_hidden_layers is 2: one per layer", count.getMessage());
    IllegalArgumentException quant =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HfConfigParser.parse(
                    "{\"model_type\": \"gpt_oss\", \"quantization_config\": {\"quant_method\":"
                        + " \"fp8\"}}"));
    assertEquals(
        "quantization_config.quant_method 'fp8' is not supported; gpt-oss experts load from"
            + " bfloat16, float32 or mxfp4",
        quant.getMessage());
  }
}
