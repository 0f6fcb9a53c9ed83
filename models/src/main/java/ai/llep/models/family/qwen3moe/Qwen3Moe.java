package ai.llep.models.family.qwen3moe;

import ai.llep.dispatch.ExpertFunction;
import ai.llep.models.experts.SwiGluExperts;
import ai.llep.models.family.CommonFields;
import ai.llep.models.family.ConfigFields;
import ai.llep.models.family.Family;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.QkNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen3-MoE ({@code Qwen3MoeForCausalLM}): per-head q/k RMSNorm, optional attention biases, dense
 * SwiGLU layers from {@code mlp_only_layers} and {@code decoder_sparse_step}, experts of width
 * {@code moe_intermediate_size} named {@code gate_proj}/{@code up_proj}/{@code down_proj}; ChatML
 * as fallback template.
 */
public final class Qwen3Moe implements Family {
  private static final CommonFields.Defaults DEFAULTS =
      new CommonFields.Defaults(151936, 2048, 6144, 24, 32, 4, 32768, 1e-6, 10000.0, 128, 8);

  @Override
  public String modelType() {
    return "qwen3_moe";
  }

  @Override
  public String architecture() {
    return "Qwen3MoeForCausalLM";
  }

  @Override
  public ModelConfig read(ConfigFields f) {
    if (f.bool("use_sliding_window", false)) {
      throw new IllegalArgumentException(
          "use_sliding_window true is not supported: attention here is full causal");
    }
    CommonFields s = CommonFields.read(f, DEFAULTS);
    int experts = CommonFields.experts(f, "num_experts", "num_local_experts", DEFAULTS.experts());
    int step = f.integer("decoder_sparse_step", 1);
    if (step < 1) {
      throw new IllegalArgumentException("decoder_sparse_step must be >= 1, got " + step);
    }
    List<Integer> mlpOnly = f.integers("mlp_only_layers");
    List<Integer> dense = new ArrayList<>();
    for (int layer = 0; layer < s.layers(); layer++) {
      boolean sparse = !mlpOnly.contains(layer) && experts > 0 && (layer + 1) % step == 0;
      if (!sparse) {
        dense.add(layer);
      }
    }
    for (int layer : mlpOnly) {
      if (layer < 0 || layer >= s.layers()) {
        throw new IllegalArgumentException(
            "mlp_only_layers entries must be in [0, num_hidden_layers = "
                + s.layers()
                + "), got "
                + layer);
      }
    }
    return s.config(
        ModelFamily.QWEN3_MOE,
        f.integer("intermediate_size", DEFAULTS.intermediate()),
        f.integer("moe_intermediate_size", 768),
        experts,
        f.integer("num_experts_per_tok", DEFAULTS.topK()),
        f.bool("norm_topk_prob", false),
        f.bool("attention_bias", false),
        QkNorm.PER_HEAD,
        0.0,
        dense,
        s.plainRopeTheta(f),
        CommonFields.Features.plain(s.layers()));
  }

  @Override
  public String moeBlock() {
    return "mlp.";
  }

  @Override
  public String router() {
    return "gate";
  }

  @Override
  public List<String> expertProjections() {
    return List.of("gate", "up", "down");
  }

  @Override
  public String expertTensor(String proj) {
    return proj + "_proj.weight";
  }

  @Override
  public ExpertFunction experts(ModelConfig config) {
    return new SwiGluExperts(config.hiddenSize(), config.moeIntermediateSize(), false);
  }

  @Override
  public String builtinTemplate() {
    return "chatml";
  }
}
