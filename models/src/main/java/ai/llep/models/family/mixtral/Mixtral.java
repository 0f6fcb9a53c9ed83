package ai.llep.models.family.mixtral;

import ai.llep.models.family.CommonFields;
import ai.llep.models.family.ConfigFields;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.QkNorm;
import ai.llep.models.family.SwiGluFamily;
import ai.llep.models.family.SwiGluFields;
import java.util.List;

/**
 * Mixtral ({@code MixtralForCausalLM}): every layer MoE under {@code block_sparse_moe}, routing
 * weights always renormalised, SwiGLU experts whose {@code w1} is the gate, {@code w3} the up and
 * {@code w2} the down projection; no sliding window; the {@code [INST]} template as fallback.
 */
public final class Mixtral implements SwiGluFamily {
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
    SwiGluFields s = SwiGluFields.read(f, DEFAULTS, "num_local_experts", "num_experts");
    return s.config(
        ModelFamily.MIXTRAL, s.intermediate(), true, false, QkNorm.NONE, 0.0, List.of());
  }

  @Override
  public String moeBlock() {
    return "block_sparse_moe.";
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
  public String builtinTemplate() {
    return "mixtral";
  }
}
