package ai.llep.models.family;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The Hugging Face MoE architectures this project runs, keyed by {@code config.json}'s model_type.
 */
public enum ModelFamily {
  /** {@code MixtralForCausalLM}: every layer MoE, routing weights always renormalised. */
  MIXTRAL("mixtral", "MixtralForCausalLM"),
  /** {@code Qwen3MoeForCausalLM}: per-head q/k RMSNorm, optional dense layers. */
  QWEN3_MOE("qwen3_moe", "Qwen3MoeForCausalLM"),
  /** {@code OlmoeForCausalLM}: q/k RMSNorm over the whole projection, optional q/k/v clipping. */
  OLMOE("olmoe", "OlmoeForCausalLM");

  private final String modelType;
  private final String architecture;

  ModelFamily(String modelType, String architecture) {
    this.modelType = modelType;
    this.architecture = architecture;
  }

  /** The {@code model_type} value in {@code config.json}. */
  public String modelType() {
    return modelType;
  }

  /** The {@code architectures} entry Hugging Face writes for this family. */
  public String architecture() {
    return architecture;
  }

  /**
   * The family of a {@code model_type}.
   *
   * @throws IllegalArgumentException naming the value and the supported ones
   */
  public static ModelFamily ofModelType(String modelType) {
    for (ModelFamily family : values()) {
      if (family.modelType.equals(modelType)) {
        return family;
      }
    }
    String supported =
        Arrays.stream(values()).map(f -> f.modelType).collect(Collectors.joining(", "));
    throw new IllegalArgumentException(
        "unsupported model_type '" + modelType + "'; supported: " + supported);
  }
}
