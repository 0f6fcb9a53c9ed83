package ai.llep.trainer.train;

import ai.llep.models.MoeTransformer;
import ai.llep.models.Parameter;
import java.util.List;

/**
 * Which parameters a run trains and saves: a model with adapters (LoRA) trains and checkpoints its
 * adapters alone (the frozen base comes from {@code model.source} again on resume); otherwise every
 * parameter is saved and those of kinds {@code train.freeze} names do not train.
 */
final class TrainedParameters {
  private TrainedParameters() {}

  /** The parameters the optimizer updates, in registry order. */
  static List<Parameter> trainable(MoeTransformer model, TrainSettings settings) {
    if (!model.adapters().all().isEmpty()) {
      return model.adapters().all();
    }
    return model.parameters().all().stream()
        .filter(p -> !settings.loop().frozen().contains(p.kind()))
        .toList();
  }

  /** The parameters a checkpoint holds. */
  static List<Parameter> saved(MoeTransformer model) {
    return model.adapters().all().isEmpty() ? model.parameters().all() : model.adapters().all();
  }
}
