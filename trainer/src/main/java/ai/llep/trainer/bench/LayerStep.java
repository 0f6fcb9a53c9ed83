package ai.llep.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.dispatch.DispatchResult;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.tape.BackwardPhases;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;

/**
 * One run of the MoE layer under one dispatcher: the forward pass without a graph, or the forward
 * and the distributed backward (weight gradients accumulate in the native weights, those of lent
 * weights return to their owners). Everything the run makes is attached to {@code scope}: the
 * inputs and weights are attached to it for the run, so that even views of them die with it.
 */
final class LayerStep {
  private LayerStep() {}

  static DispatchResult run(
      Communicator comm,
      MoeDispatcher dispatcher,
      BenchLayer layer,
      ScenarioInputs inputs,
      NDManager scope) {
    return run(comm, dispatcher, layer, inputs, scope, BackwardPhases.NONE);
  }

  /**
   * {@link #run(Communicator, MoeDispatcher, BenchLayer, ScenarioInputs, NDManager)}, telling
   * {@code phases} the parts of the backward.
   */
  static DispatchResult run(
      Communicator comm,
      MoeDispatcher dispatcher,
      BenchLayer layer,
      ScenarioInputs inputs,
      NDManager scope,
      BackwardPhases phases) {
    boolean backward = inputs.upstream_TD() != null;
    inputs.x_TD().tempAttach(scope);
    inputs.weights_TK().tempAttach(scope);
    inputs.experts_S().tempAttach(scope);
    layer.natives.tensors().forEach(t -> t.tempAttach(scope));
    try (GradMode grad = backward ? GradMode.enabled() : GradMode.disabled()) {
      DistributedTape tape =
          backward ? DistributedTape.training(comm) : DistributedTape.inference(comm);
      DispatchResult result =
          dispatcher.forward(
              tape, inputs.x_TD(), inputs.experts_S(), inputs.weights_TK(), layer.natives);
      if (backward) {
        inputs.upstream_TD().tempAttach(scope);
        tape.backward(result.output_TD(), inputs.upstream_TD(), phases);
      }
      return result;
    }
  }

  /** A copy of {@code x} that outlives the run, attached to {@code keep}. */
  static NDArray keep(NDArray x, NDManager keep) {
    try (NDArray detached = x.stopGradient()) {
      NDArray copy = detached.duplicate();
      copy.attach(keep);
      return copy;
    }
  }
}
