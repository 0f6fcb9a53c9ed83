package ai.llep.models.family;

import ai.llep.dispatch.ExpertFunction;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.TensorSource;
import java.util.List;

/**
 * What makes one Hugging Face MoE architecture: how its {@code config.json} reads, how its tensors
 * are named and laid out, what its experts compute and which chat template it falls back to. Each
 * family is one package under {@code ai.llep.models.family} and one line in {@link ModelFamily};
 * the decoder layers are assembled from the {@link ModelConfig} it reads (its norms, biases,
 * attention windows and sinks, routing), so a family adds no code outside its package.
 *
 * <p>The model holds one tensor per expert and projection under the name {@link
 * TensorNames#expertWeight} gives it. Families whose checkpoints store a layer's experts stacked
 * (gpt-oss) present their folders through {@link #checkpointSource} in those per-expert names and
 * join them again in {@link #exportSource}.
 */
public interface Family {
  /** The {@code model_type} value in {@code config.json}. */
  String modelType();

  /** The {@code architectures} entry Hugging Face writes for this family. */
  String architecture();

  /** Reads the family's {@code config.json} fields (the model_type already checked). */
  ModelConfig read(ConfigFields fields);

  /** The path of a layer's MoE block below {@code model.layers.L.}, e.g. {@code mlp.}. */
  String moeBlock();

  /** The router module's name in the MoE block ({@code gate} or {@code router}). */
  String router();

  /** The projections of one expert, in its expert function's tensor order. */
  List<String> expertProjections();

  /**
   * The name of projection {@code proj} of one expert below {@code experts.N.}, e.g. {@code
   * w1.weight} or {@code gate_up_proj}.
   */
  String expertTensor(String proj);

  /** What the experts of {@code config}'s MoE layers compute. */
  ExpertFunction experts(ModelConfig config);

  /**
   * The built-in chat template ({@code ai.llep.models.tokenizer}'s names) used when a folder brings
   * none of its own, or null when the family has no built-in stand-in.
   */
  String builtinTemplate();

  /** A Hugging Face folder's tensors under the names this project's model reads. */
  default TensorSource checkpointSource(HfCheckpoint checkpoint, ModelConfig config) {
    return checkpoint;
  }

  /**
   * The model's tensors ({@code trained}: one per expert and projection, as saved in training
   * checkpoints) in the family's Hugging Face layout, each still read only when asked for.
   */
  default TensorSource exportSource(ModelConfig config, TensorSource trained) {
    return trained;
  }

  /** The {@code config.json} to export with the model, given the one it was loaded with. */
  default String exportConfig(String configJson) {
    return configJson;
  }
}
