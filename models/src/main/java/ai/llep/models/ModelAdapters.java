package ai.llep.models;

import ai.djl.ndarray.NDManager;
import ai.llep.models.family.ModelConfig;

/**
 * Makes one rank's {@link LayerAdapters} for a model loaded with a frozen base ({@link
 * MoeTransformer#load(ModelConfig, ai.llep.models.hf.TensorSource, ModelShard,
 * ai.llep.plan.Planner, ai.djl.ndarray.types.DataType, NDManager, ModelAdapters)}).
 */
public interface ModelAdapters {
  /**
   * The adapters of {@code shard}'s part of a {@code config} model, their parameters created under
   * {@code manager} (the model's, closed with it).
   */
  LayerAdapters attach(ModelConfig config, ModelShard shard, NDManager manager);
}
