package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.llep.dispatch.ExpertFunction;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.layers.LinearAdapter;
import java.util.List;

/**
 * One rank's trainable additions to a model whose base weights are frozen ({@link
 * ai.llep.models.lora}), as the decoder layers take them while they are built: an adapter per
 * adapted projection, and for MoE layers an expert function whose tensors are the base experts'
 * followed by the adapters' stacks, so that borrowed experts carry their adapters through the
 * dispatcher.
 */
public interface LayerAdapters {
  /** No additions: the model as it is. */
  LayerAdapters NONE =
      new LayerAdapters() {
        @Override
        public List<Parameter> parameters() {
          return List.of();
        }

        @Override
        public LinearAdapter linear(String weightName) {
          return null;
        }

        @Override
        public ExpertFunction experts(int layer, ExpertFunction base) {
          return base;
        }

        @Override
        public List<NDArray> expertTensors(int layer) {
          return List.of();
        }

        @Override
        public MoeDispatcher dispatcher(int layer, MoeDispatcher base) {
          return base;
        }
      };

  /** The trainable parameters, in a fixed order that is the same on every rank for dense ones. */
  List<Parameter> parameters();

  /** The adapter of the linear weight named {@code weightName} (checkpoint name), or null. */
  LinearAdapter linear(String weightName);

  /** MoE layer {@code layer}'s expert function, given the family's. */
  ExpertFunction experts(int layer, ExpertFunction base);

  /** The stacked tensors {@link #experts} adds after the base ones, in its order. */
  List<NDArray> expertTensors(int layer);

  /** MoE layer {@code layer}'s dispatcher, given the plain one (e.g. with a weight cache). */
  MoeDispatcher dispatcher(int layer, MoeDispatcher base);
}
