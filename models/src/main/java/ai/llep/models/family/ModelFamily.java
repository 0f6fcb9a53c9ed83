package ai.llep.models.family;

import ai.llep.models.family.gptoss.GptOss;
import ai.llep.models.family.mixtral.Mixtral;
import ai.llep.models.family.olmoe.Olmoe;
import ai.llep.models.family.qwen3moe.Qwen3Moe;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The registry of model families, keyed by {@code config.json}'s model_type: one line per family,
 * whose package holds everything else about it ({@link Family}).
 */
public enum ModelFamily {
  /** {@code MixtralForCausalLM}: every layer MoE, routing weights always renormalised. */
  MIXTRAL(new Mixtral()),
  /** {@code Qwen3MoeForCausalLM}: per-head q/k RMSNorm, optional dense layers. */
  QWEN3_MOE(new Qwen3Moe()),
  /** {@code OlmoeForCausalLM}: q/k RMSNorm over the whole projection, optional q/k/v clipping. */
  OLMOE(new Olmoe()),
  /** {@code GptOssForCausalLM}: attention sinks, sliding and full layers, YaRN, biased experts. */
  GPT_OSS(new GptOss());

  private final Family family;

  ModelFamily(Family family) {
    this.family = family;
  }

  /** What the family is made of. */
  public Family definition() {
    return family;
  }

  /** The {@code model_type} value in {@code config.json}. */
  public String modelType() {
    return family.modelType();
  }

  /** The {@code architectures} entry Hugging Face writes for this family. */
  public String architecture() {
    return family.architecture();
  }

  /**
   * The family of a {@code model_type}.
   *
   * @throws IllegalArgumentException naming the value and the supported ones
   */
  public static ModelFamily ofModelType(String modelType) {
    return find(modelType)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unsupported model_type '" + modelType + "'; supported: " + supported()));
  }

  /** The family of a {@code model_type}, or empty when no family has it. */
  public static Optional<ModelFamily> find(String modelType) {
    return Arrays.stream(values()).filter(f -> f.modelType().equals(modelType)).findFirst();
  }

  /** The supported model_type values, comma-separated. */
  static String supported() {
    return Arrays.stream(values()).map(ModelFamily::modelType).collect(Collectors.joining(", "));
  }
}
