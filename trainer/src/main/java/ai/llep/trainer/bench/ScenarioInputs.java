package ai.llep.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.trainer.routing.RoutingGenerator;
import ai.llep.trainer.routing.RoutingScenario;

/**
 * This rank's inputs for one scenario, shared by every mode so that their outputs can be compared:
 * tokens, their expert choices, the routing weights (1/K, as in the paper's generator) and, for the
 * backward, the upstream gradient.
 *
 * @param experts_S expert of each slot, token-major, int64 on the device
 * @param upstream_TD gradient of the layer's output; null for the forward pass
 */
record ScenarioInputs(NDArray x_TD, NDArray experts_S, NDArray weights_TK, NDArray upstream_TD) {

  static ScenarioInputs create(
      NDManager manager,
      BenchLayer layer,
      RoutingScenario scenario,
      BenchOptions options,
      int rank) {
    LayerShape shape = layer.shape;
    int tokens = options.tokensPerRank();
    long[] choices =
        new RoutingGenerator(shape.experts(), shape.topK())
            .route(scenario, tokens, rank, options.seed());
    Shape tokenShape = new Shape(tokens, shape.hidden());
    NDArray x_TD = BenchLayer.normal(manager, tokenShape, 1.0, layer.dataType);
    NDArray weights_TK =
        BenchLayer.as(
            manager.full(new Shape(tokens, shape.topK()), 1f / shape.topK(), DataType.FLOAT32),
            layer.dataType);
    NDArray upstream_TD = null;
    if (options.pass() == BenchPass.FORWARD_BACKWARD) {
      x_TD.setRequiresGradient(true);
      upstream_TD = BenchLayer.normal(manager, tokenShape, 1.0, layer.dataType);
    }
    return new ScenarioInputs(x_TD, manager.create(choices), weights_TK, upstream_TD);
  }

  /** Zeroes the tokens' accumulated gradient (forward-backward). */
  void zeroGradient() {
    if (upstream_TD != null) {
      try (NDArray gradient = x_TD.getGradient()) {
        gradient.subi(gradient);
      }
    }
  }
}
