package ai.llep.models.family;

import java.util.List;

/**
 * The {@code config.json} fields the SwiGLU families (Mixtral, Qwen3-MoE, OLMoE) read alike: the
 * common fields, the expert count under the family's name or its alias, {@code intermediate_size},
 * {@code num_experts_per_tok} and {@code rope_theta} (default RoPE only). Their models have full
 * causal attention in every layer, no attention sinks and no router bias; what else differs
 * (routing renormalisation, biases, q/k norms, dense layers, the expert width) each family reads
 * itself and hands to {@link #config}.
 *
 * @param intermediate {@code intermediate_size}: the width of the dense MLPs
 * @param topK {@code num_experts_per_tok}
 */
public record SwiGluFields(
    CommonFields common, int experts, int intermediate, int topK, double ropeTheta) {

  /**
   * Reads the shared fields with the family defaults {@code d}; {@code expertsName} is the family's
   * own name for the expert count and {@code expertsAlias} the name Hugging Face maps onto it.
   */
  public static SwiGluFields read(
      ConfigFields f, CommonFields.Defaults d, String expertsName, String expertsAlias) {
    CommonFields common = CommonFields.read(f, d);
    return new SwiGluFields(
        common,
        CommonFields.experts(f, expertsName, expertsAlias, d.experts()),
        f.integer("intermediate_size", d.intermediate()),
        f.integer("num_experts_per_tok", d.topK()),
        common.plainRopeTheta(f));
  }

  /** {@code num_hidden_layers}. */
  public int layers() {
    return common.layers();
  }

  /**
   * The config of {@code family}: these fields with the family's own.
   *
   * @param expertFfn the width of one expert
   * @param renormalize whether the top-k routing weights are renormalised to sum to one
   */
  public ModelConfig config(
      ModelFamily family,
      int expertFfn,
      boolean renormalize,
      boolean attentionBias,
      QkNorm qkNorm,
      double clipQkv,
      List<Integer> denseLayers) {
    return common.config(
        family,
        intermediate,
        expertFfn,
        experts,
        topK,
        renormalize,
        attentionBias,
        qkNorm,
        clipQkv,
        denseLayers,
        ropeTheta,
        CommonFields.Features.plain(common.layers()));
  }
}
