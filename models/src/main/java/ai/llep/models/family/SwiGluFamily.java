package ai.llep.models.family;

import ai.llep.dispatch.ExpertFunction;
import ai.llep.models.experts.SwiGluExperts;
import java.util.List;

/**
 * A family whose experts are plain SwiGLU MLPs ({@link SwiGluExperts}), chosen by a router named
 * {@code gate}. The tensor names default to transformers' Qwen-MoE layout, which OLMoE shares:
 * {@code mlp.gate} and {@code mlp.experts.N.{gate,up,down}_proj.weight}; Mixtral names its own.
 */
public interface SwiGluFamily extends Family {
  @Override
  default String moeBlock() {
    return "mlp.";
  }

  @Override
  default String router() {
    return "gate";
  }

  @Override
  default List<String> expertProjections() {
    return List.of("gate", "up", "down");
  }

  @Override
  default String expertTensor(String proj) {
    return proj + "_proj.weight";
  }

  @Override
  default ExpertFunction experts(ModelConfig config) {
    return new SwiGluExperts(config.hiddenSize(), config.moeIntermediateSize(), false);
  }
}
