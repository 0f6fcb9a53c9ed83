package ai.llep.models.family.olmoe;

import ai.llep.models.family.CommonFields;
import ai.llep.models.family.ConfigFields;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.QkNorm;
import ai.llep.models.family.SwiGluFamily;
import ai.llep.models.family.SwiGluFields;
import java.util.List;

/**
 * OLMoE ({@code OlmoeForCausalLM}): q/k RMSNorm over the whole projection, optional {@code
 * clip_qkv}, optional renormalisation of the top-k weights, SwiGLU experts named {@code
 * gate_proj}/{@code up_proj}/{@code down_proj}; ChatML as fallback template.
 */
public final class Olmoe implements SwiGluFamily {
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
    SwiGluFields s = SwiGluFields.read(f, DEFAULTS, "num_experts", "num_local_experts");
    double clip = 0.0;
    if (f.has("clip_qkv")) {
      clip = f.number("clip_qkv", 0.0);
      if (!(clip > 0)) {
        throw new IllegalArgumentException("clip_qkv must be > 0 or null, got " + clip);
      }
    }
    return s.config(
        ModelFamily.OLMOE,
        s.intermediate(),
        f.bool("norm_topk_prob", false),
        f.bool("attention_bias", false),
        QkNorm.FULL,
        clip,
        List.of());
  }

  @Override
  public String builtinTemplate() {
    return "chatml";
  }
}
