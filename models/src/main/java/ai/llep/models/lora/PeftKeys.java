package ai.llep.models.lora;

import java.util.Set;

/**
 * The names PEFT 0.21 gives adapter tensors in {@code adapter_model.safetensors} on a transformers
 * 5 model: {@code base_model.model.} then the module path; an expert parameter's adapter sits on
 * the experts module ({@code model.layers.0.mlp.experts.lora_A.weight}), and when both of a layer's
 * expert parameters are adapted PEFT nests one wrapper in the other, the gate_up_proj one inside,
 * under {@code base_layer}.
 */
final class PeftKeys {
  static final String PREFIX = "base_model.model.";

  private final boolean nested;

  /**
   * @param targets the adapted targets (nesting depends on whether both expert ones are)
   */
  PeftKeys(Set<LoraTarget> targets) {
    this.nested =
        targets.contains(LoraTarget.EXPERTS_GATE_UP) && targets.contains(LoraTarget.EXPERTS_DOWN);
  }

  /** The file's name of a module adapter's matrix named {@code name} ({@link LoraSites}). */
  static String module(String name) {
    return PREFIX + name;
  }

  /** The file's name of the layer's fused {@code matrix} (lora_A or lora_B) of {@code site}. */
  String experts(LoraSites.Experts site, String matrix) {
    return experts(site.layer(), site.target(), matrix);
  }

  String experts(int layer, LoraTarget target, String matrix) {
    String inner = nested && target == LoraTarget.EXPERTS_GATE_UP ? "base_layer." : "";
    return PREFIX + "model.layers." + layer + ".mlp.experts." + inner + matrix + ".weight";
  }

  /** PEFT's {@code target_parameters} entry of an expert target. */
  static String targetParameter(LoraTarget target) {
    return "mlp." + target.label();
  }
}
