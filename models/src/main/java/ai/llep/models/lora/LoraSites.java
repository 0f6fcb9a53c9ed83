package ai.llep.models.lora;

import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.TensorNames;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a {@link LoraSpec} puts adapters in a model of a config, and their names: PEFT's names
 * without its {@code base_model.model.} prefix for module adapters ({@code
 * model.layers.0.self_attn.q_proj.lora_A.weight}), and for the experts one tensor per expert
 * ({@code model.layers.0.mlp.experts.5.gate_up_proj.lora_A.weight}), which checkpoints hold and
 * {@link PeftAdapterWriter} fuses into PEFT's per-layer tensors. Expert adapters live under {@code
 * mlp.experts} in every family (transformers 5's module path, also Mixtral's).
 */
final class LoraSites {
  /**
   * The families whose LoRA is checked against PEFT: bias-free SwiGLU experts, one tensor per
   * expert and projection in their checkpoints.
   */
  static final Set<ModelFamily> FAMILIES =
      EnumSet.of(ModelFamily.MIXTRAL, ModelFamily.QWEN3_MOE, ModelFamily.OLMOE);

  /** An adapted projection of attention or of a dense MLP: the base weight is [out, in]. */
  record Module(LoraTarget target, int layer, String weight, long in, long out) {
    String a() {
      return prefix() + ".lora_A.weight";
    }

    String b() {
      return prefix() + ".lora_B.weight";
    }

    private String prefix() {
      return weight.substring(0, weight.length() - ".weight".length());
    }
  }

  /** One MoE layer's adapted expert parameter: each expert's projection maps in to out. */
  record Experts(LoraTarget target, int layer, long in, long out) {
    /** The parameter's name in transformers 5: gate_up_proj or down_proj. */
    String parameter() {
      return target == LoraTarget.EXPERTS_GATE_UP ? "gate_up_proj" : "down_proj";
    }

    String a(int expert) {
      return expertsPrefix(layer) + expert + "." + parameter() + ".lora_A.weight";
    }

    String b(int expert) {
      return expertsPrefix(layer) + expert + "." + parameter() + ".lora_B.weight";
    }

    /** The stacked parameter of experts [first, end) for {@code matrix} lora_A or lora_B. */
    String stack(int first, int end, String matrix) {
      return expertsPrefix(layer)
          + first
          + "-"
          + (end - 1)
          + "."
          + parameter()
          + "."
          + matrix
          + ".weight";
    }
  }

  private final List<Module> modules = new ArrayList<>();
  private final List<Experts> experts = new ArrayList<>();

  LoraSites(ModelConfig c, LoraSpec spec) {
    if (!FAMILIES.contains(c.family())) {
      throw new IllegalArgumentException(
          "train.method=lora does not support model_type "
              + c.family().modelType()
              + " (its biased, clamped experts are stored stacked and have no LoRA here); LoRA"
              + " supports model_type "
              + FAMILIES.stream().map(ModelFamily::modelType).collect(Collectors.joining(", "))
              + "; train "
              + c.family().modelType()
              + " with train.method=full");
    }
    TensorNames n = new TensorNames(c.family());
    long d = c.hiddenSize();
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKvHeads() * c.headDim();
    for (int layer = 0; layer < c.numLayers(); layer++) {
      for (LoraTarget t : spec.ordered()) {
        switch (t) {
          case Q_PROJ -> modules.add(new Module(t, layer, n.attention(layer, 'q', "weight"), d, q));
          case K_PROJ ->
              modules.add(new Module(t, layer, n.attention(layer, 'k', "weight"), d, kv));
          case V_PROJ ->
              modules.add(new Module(t, layer, n.attention(layer, 'v', "weight"), d, kv));
          case O_PROJ -> modules.add(new Module(t, layer, n.attention(layer, 'o', "weight"), q, d));
          case GATE_PROJ, UP_PROJ, DOWN_PROJ -> denseMlp(c, n, t, layer);
          case EXPERTS_GATE_UP -> {
            if (c.isMoeLayer(layer)) {
              experts.add(new Experts(t, layer, d, 2L * c.moeIntermediateSize()));
            }
          }
          case EXPERTS_DOWN -> {
            if (c.isMoeLayer(layer)) {
              experts.add(new Experts(t, layer, c.moeIntermediateSize(), d));
            }
          }
        }
      }
    }
  }

  private void denseMlp(ModelConfig c, TensorNames n, LoraTarget t, int layer) {
    if (c.isMoeLayer(layer)) {
      return;
    }
    long d = c.hiddenSize();
    long f = c.intermediateSize();
    switch (t) {
      case GATE_PROJ -> modules.add(new Module(t, layer, n.denseMlp(layer, "gate"), d, f));
      case UP_PROJ -> modules.add(new Module(t, layer, n.denseMlp(layer, "up"), d, f));
      default -> modules.add(new Module(t, layer, n.denseMlp(layer, "down"), f, d));
    }
  }

  /** The adapted projections of attention and dense MLPs, in layer and target order. */
  List<Module> modules() {
    return modules;
  }

  /** The adapted expert parameters, in layer and target order. */
  List<Experts> experts() {
    return experts;
  }

  /** The expert parameters of MoE layer {@code layer}, gate_up before down. */
  List<Experts> experts(int layer) {
    return experts.stream().filter(e -> e.layer() == layer).toList();
  }

  private static String expertsPrefix(int layer) {
    return "model.layers." + layer + ".mlp.experts.";
  }
}
