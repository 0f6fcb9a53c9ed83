/**
 * Model families and their configuration: a Hugging Face {@code config.json} becomes an immutable
 * {@link ai.llep.models.family.ModelConfig} ({@link ai.llep.models.family.HfConfigParser}), and
 * {@link ai.llep.models.family.TensorNames} gives each family's checkpoint tensor names. Mixtral,
 * Qwen3-MoE and OLMoE differ only in a few switches (query/key norms, dense layers, routing-weight
 * renormalisation, tensor names), so one model implementation serves all three.
 */
package ai.llep.models.family;
