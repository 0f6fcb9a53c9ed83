/**
 * Model families and their configuration. Each family is one subpackage ({@code mixtral}, {@code
 * qwen3moe}, {@code olmoe}, {@code gptoss}) implementing {@link ai.llep.models.family.Family}: its
 * {@code config.json} reading with transformers' names and defaults, its tensor names and
 * checkpoint layout, its expert function and its fallback chat template; {@link
 * ai.llep.models.family.ModelFamily} registers each with one line. A {@code config.json} becomes an
 * immutable {@link ai.llep.models.family.ModelConfig} ({@link
 * ai.llep.models.family.HfConfigParser}) whose switches (query/key norms, biases, dense layers,
 * attention windows and sinks, rotary scaling, routing-weight renormalisation) the one model
 * implementation assembles its layers from; {@link ai.llep.models.family.TensorNames} gives every
 * tensor's name.
 */
package ai.llep.models.family;
