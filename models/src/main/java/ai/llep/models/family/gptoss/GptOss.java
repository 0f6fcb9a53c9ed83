package ai.llep.models.family.gptoss;

import ai.llep.dispatch.ExpertFunction;
import ai.llep.models.experts.GptOssExperts;
import ai.llep.models.family.CommonFields;
import ai.llep.models.family.ConfigFields;
import ai.llep.models.family.Family;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.QkNorm;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.TensorSource;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;

/**
 * gpt-oss ({@code GptOssForCausalLM}), as transformers' {@code GptOssConfig} and modeling define
 * it: q/k/v/o biases, a learned sink logit per head in every attention softmax, layers alternating
 * between a sliding window and full causal attention ({@code layer_types}), YaRN rotary scaling, a
 * biased router whose top-k logits are softmaxed (the renormalised top-k of the full softmax), and
 * experts with biases and the clamped SwiGLU ({@link GptOssExperts}).
 *
 * <p>Checkpoints store a layer's experts stacked ({@code mlp.experts.gate_up_proj [E, D, 2F]} with
 * gate and up interleaved, {@code down_proj [E, F, D]}, their biases {@code [E, 2F]} and {@code [E,
 * D]}), the official ones in MXFP4 ({@code *_blocks}, {@code *_scales}); {@link StackedExperts}
 * reads each rank's experts out of either and {@link ExpertJoin} stacks them again on export (in
 * the export type, float32, bfloat16 or float16: no re-quantisation). No built-in template: the
 * release's harmony template comes with the folder.
 */
public final class GptOss implements Family {
  private static final CommonFields.Defaults DEFAULTS =
      new CommonFields.Defaults(201088, 2880, 2880, 36, 64, 8, 131072, 1e-5, 150000.0, 128, 4);

  /** GptOssConfig's head_dim when absent (not hidden_size / num_attention_heads). */
  private static final int DEFAULT_HEAD_DIM = 64;

  /** The projections of one expert, in {@link GptOssExperts}'s tensor order. */
  static final List<String> PROJECTIONS = List.of("gate_up", "gate_up_bias", "down", "down_bias");

  @Override
  public String modelType() {
    return "gpt_oss";
  }

  @Override
  public String architecture() {
    return "GptOssForCausalLM";
  }

  @Override
  public ModelConfig read(ConfigFields f) {
    CommonFields s = CommonFields.read(f, DEFAULTS);
    if (!f.has("head_dim")) {
      s =
          new CommonFields(
              s.vocab(),
              s.hidden(),
              s.layers(),
              s.heads(),
              s.kvHeads(),
              DEFAULT_HEAD_DIM,
              s.eps(),
              s.ropeTheta(),
              s.maxPositions(),
              s.tie(),
              s.initializerRange());
    }
    checkQuantization(f);
    int experts = CommonFields.experts(f, "num_local_experts", "num_experts", DEFAULTS.experts());
    int ffn = f.integer("intermediate_size", DEFAULTS.intermediate());
    GptOssRope rope = GptOssRope.read(f, s.ropeTheta(), s.maxPositions());
    return s.config(
        ModelFamily.GPT_OSS,
        ffn,
        ffn,
        experts,
        f.integer("num_experts_per_tok", DEFAULTS.topK()),
        true,
        f.bool("attention_bias", true),
        QkNorm.NONE,
        0.0,
        List.of(),
        rope.theta(),
        new CommonFields.Features(rope.scaling(), LayerTypes.windows(f, s.layers()), true, true));
  }

  private static void checkQuantization(ConfigFields f) {
    ConfigFields quantization = f.object("quantization_config");
    if (quantization == null) {
      return;
    }
    String method = quantization.string("quant_method", "");
    if (!method.equals("mxfp4")) {
      throw new IllegalArgumentException(
          quantization.name("quant_method")
              + " '"
              + method
              + "' is not supported; gpt-oss experts load from bfloat16, float32 or mxfp4");
    }
  }

  @Override
  public String moeBlock() {
    return "mlp.";
  }

  @Override
  public String router() {
    return "router";
  }

  @Override
  public List<String> expertProjections() {
    return PROJECTIONS;
  }

  @Override
  public String expertTensor(String proj) {
    return switch (proj) {
      case "gate_up" -> "gate_up_proj";
      case "gate_up_bias" -> "gate_up_proj_bias";
      case "down" -> "down_proj";
      default -> "down_proj_bias";
    };
  }

  @Override
  public ExpertFunction experts(ModelConfig config) {
    return new GptOssExperts(config.hiddenSize(), config.moeIntermediateSize());
  }

  @Override
  public String builtinTemplate() {
    return null;
  }

  @Override
  public TensorSource checkpointSource(HfCheckpoint checkpoint, ModelConfig config) {
    return new StackedExperts(checkpoint, config);
  }

  @Override
  public TensorSource exportSource(ModelConfig config, TensorSource trained) {
    return new ExpertJoin(config, trained);
  }

  /** Without {@code quantization_config}: the export holds the experts unquantised. */
  @Override
  public String exportConfig(String configJson) {
    JsonObject json = JsonParser.parseString(configJson).getAsJsonObject();
    if (!json.has("quantization_config")) {
      return configJson;
    }
    json.remove("quantization_config");
    return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(json) + "\n";
  }
}
