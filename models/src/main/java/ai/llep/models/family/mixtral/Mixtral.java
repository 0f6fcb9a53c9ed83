package ai.llep.models.family.mixtral;

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
 * Mixtral ({@code MixtralForCausalLM}): every layer MoE under {@code block_sparse_moe}, routing
 * weights always renormalised, SwiGLU experts whose {@code w1} is the gate, {@code w3} the up and
 * {@code w2} the down projection; no sliding window; the {@code [INST]} template as fallback.
 */
public final class Mixtral implements Family {
  private static final CommonFields.Defaults DEFAULTS =
      new CommonFields.Defaults(32000, 4096, 14336, 32, 32, 8, 4096 * 32, 1e-5, 1e6, 8, 2);

  @Override
  public String modelType() {
    return "mixtral";
  }

  @Override
  public String architecture() {
    return "MixtralForCausalLM";
  }

  @Override
  public ModelConfig read(ConfigFields f) {
    if (f.has("sliding_window")) {
      throw new IllegalArgumentException(
          "sliding_window "
              + f.integer("sliding_window", 0)
              + " is not supported: attention here is full causal (use null)");
    }
    CommonFields s = CommonFields.read(f, DEFAULTS);
    int experts = CommonFields.experts(f, "num_local_experts", "num_experts", DEFAULTS.experts());
    int intermediate = f.integer("intermediate_size", DEFAULTS.intermediate());
    return s.config(
        ModelFamily.MIXTRAL,
        intermediate,
        intermediate,
        experts,
        f.integer("num_experts_per_tok", DEFAULTS.topK()),
        true,
        false,
        QkNorm.NONE,
        0.0,
        List.of(),
        s.plainRopeTheta(f),
        CommonFields.Features.plain(s.layers()));
  }

  @Override
  public String moeBlock() {
    return "block_sparse_moe.";
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
    return switch (proj) {
      case "gate" -> "w1.weight";
      case "up" -> "w3.weight";
      default -> "w2.weight";
    };
  }

  @Override
  public ExpertFunction experts(ModelConfig config) {
    return new SwiGluExperts(config.hiddenSize(), config.moeIntermediateSize(), false);
  }

  @Override
  public String builtinTemplate() {
    return "mixtral";
  }
}
