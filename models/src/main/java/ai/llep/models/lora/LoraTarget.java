package ai.llep.models.lora;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an adapter can target, by the Hugging Face name PEFT targets it by: the attention and dense
 * MLP projections ({@code target_modules}), or the experts' stacked parameters of transformers 5
 * ({@code target_parameters}, {@code mlp.experts.gate_up_proj} and {@code mlp.experts.down_proj}).
 */
public enum LoraTarget {
  Q_PROJ("q_proj"),
  K_PROJ("k_proj"),
  V_PROJ("v_proj"),
  O_PROJ("o_proj"),
  GATE_PROJ("gate_proj"),
  UP_PROJ("up_proj"),
  DOWN_PROJ("down_proj"),
  EXPERTS_GATE_UP("experts.gate_up_proj"),
  EXPERTS_DOWN("experts.down_proj");

  private final String label;

  LoraTarget(String label) {
    this.label = label;
  }

  /** The name in {@code lora.targets}: q_proj, ..., experts.gate_up_proj, experts.down_proj. */
  public String label() {
    return label;
  }

  /** Whether this targets the experts of MoE layers. */
  public boolean expert() {
    return this == EXPERTS_GATE_UP || this == EXPERTS_DOWN;
  }

  /** Whether this targets a projection of the dense MLP of non-MoE layers. */
  public boolean denseMlp() {
    return this == GATE_PROJ || this == UP_PROJ || this == DOWN_PROJ;
  }

  /** The attention projection's letter (q, k, v, o), or 0 for other targets. */
  char attention() {
    return label.length() == 6 && label.endsWith("_proj") && "qkvo".indexOf(label.charAt(0)) >= 0
        ? label.charAt(0)
        : 0;
  }

  /**
   * The target spelled {@code text}.
   *
   * @param key the config key that gave it, for the error
   */
  public static LoraTarget parse(String key, String text) {
    String wanted = text.strip().toLowerCase(Locale.ROOT);
    for (LoraTarget target : values()) {
      if (target.label.equals(wanted)) {
        return target;
      }
    }
    throw new IllegalArgumentException(
        key
            + ": '"
            + text
            + "' is not a LoRA target; valid: "
            + Arrays.stream(values()).map(LoraTarget::label).collect(Collectors.joining(", ")));
  }
}
