package ai.llep.models.family.olmoe;

import ai.llep.dispatch.ExpertFunction;
import ai.llep.models.experts.SwiGluExperts;
import ai.llep.models.family.CommonFields;
import ai.llep.models.family.ConfigFields;
import ai.llep.models.family.Family;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.QkNorm;
import java.util.List;

/**
 * OLMoE ({@code OlmoeForCausalLM}): q/k RMSNorm over the whole projection, optional {@code
 * clip_qkv}, optional renormalisation of the top-k weights, SwiGLU experts named {@code
 * gate_proj}/{@code up_proj}/{@code down_proj}; ChatML as fallback template.
 */
public final class Olmoe implements Family {
  private static final CommonFields.Defaults DEFAULTS =
      new CommonFields.Defaults(50304, 2048, 2048, 16, 16, 0, 4096, 1e-5, 10000.0, 64, 8);

  @Override
  public String modelType() {
    return "olmoe";
  }

  @Override
  public String architecture() {
    return "OlmoeForCausalLM";
  }

  @Override
  public ModelConfig read(ConfigFields f) {
    CommonFields s = CommonFields.read(f, DEFAULTS);
    int experts = CommonFields.experts(f, "num_experts", "num_local_experts", DEFAULTS.experts());
    double clip = 0.0;
    if (f.has("clip_qkv")) {
      clip = f.number("clip_qkv", 0.0);
      if (!(clip > 0)) {
        throw new IllegalArgumentException("clip_qkv must be > 0 or null, got " + clip);
      }
    }
    int intermediate = f.integer("intermediate_size", DEFAULTS.intermediate());
    return s.config(
        ModelFamily.OLMOE,
        intermediate,
        intermediate,
        experts,
        f.integer("num_experts_per_tok", DEFAULTS.topK()),
        f.bool("norm_topk_prob", false),
        f.bool("attention_bias", false),
        QkNorm.FULL,
        clip,
        List.of(),
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
