package ai.llep.models.family.qwen3moe;

import ai.llep.models.family.CommonFields;
import ai.llep.models.family.ConfigFields;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.QkNorm;
import ai.llep.models.family.SwiGluFamily;
import ai.llep.models.family.SwiGluFields;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen3-MoE ({@code Qwen3MoeForCausalLM}): per-head q/k RMSNorm, optional attention biases, dense
 * SwiGLU layers from {@code mlp_only_layers} and {@code decoder_sparse_step}, experts of width
 * {@code moe_intermediate_size} named {@code gate_proj}/{@code up_proj}/{@code down_proj}; ChatML
 * as fallback template.
 */
public final class Qwen3Moe implements SwiGluFamily {
  private static final CommonFields.Defaults DEFAULTS =
      new CommonFields.Defaults(151936, 2048, 6144, 24, 32, 4, 32768, 1e-6, 10000.0, 128, 8);

  @Override
  public String modelType() {
    return "qwen3_moe";
  }

  @Override
  public String architecture() {
    return "Qwen3MoeForCausalLM";
  }

  @Override
  public ModelConfig read(ConfigFields f) {
    if (f.bool("use_sliding_window", false)) {
      throw new IllegalArgumentException(
          "use_sliding_window true is not supported: attention here is full causal");
    }
    SwiGluFields s = SwiGluFields.read(f, DEFAULTS, "num_experts", "num_local_experts");
    return s.config(
        ModelFamily.QWEN3_MOE,
        f.integer("moe_intermediate_size", 768),
        f.bool("norm_topk_prob", false),
        f.bool("attention_bias", false),
        QkNorm.PER_HEAD,
        0.0,
        denseLayers(f, s.layers(), s.experts()));
  }

  /** The layers that {@code mlp_only_layers} names or {@code decoder_sparse_step} skips. */
  private static List<Integer> denseLayers(ConfigFields f, int layers, int experts) {
    int step = f.integer("decoder_sparse_step", 1);
    if (step < 1) {
      throw new IllegalArgumentException("decoder_sparse_step must be >= 1, got " + step);
    }
    List<Integer> mlpOnly = f.integers("mlp_only_layers");
    List<Integer> dense = new ArrayList<>();
    for (int layer = 0; layer < layers; layer++) {
      boolean sparse = !mlpOnly.contains(layer) && experts > 0 && (layer + 1) % step == 0;
      if (!sparse) {
        dense.add(layer);
      }
    }
    for (int layer : mlpOnly) {
      if (layer < 0 || layer >= layers) {
        throw new IllegalArgumentException(
            "mlp_only_layers entries must be in [0, num_hidden_layers = "
                + layers
                + "), got "
                + layer);
      }
    }
    return dense;
  }

  @Override
  public String builtinTemplate() {
    return "chatml";
  }
}
