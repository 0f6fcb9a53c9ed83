package ai.llep.trainer.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.Communicator;
import ai.llep.dispatch.DispatchResult;
import ai.llep.dispatch.ExpertStack;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.util.ArrayList;
import java.util.List;

/**
 * One forward and backward of the MoE layer across the ranks: router softmax, routing weights of
 * the synthetic expert choices, dispatch, and the distributed backward of sum(output * upstream).
 */
final class DistributedLayerRun {
  /**
   * This rank's results: output, input gradient, router gradient and the gradient of each of its
   * stacked expert tensors ([M, ...], in transfer order).
   */
  record Result(
      NDArray output_TD,
      NDArray inputGrad_TD,
      NDArray routerGrad_ND,
      List<NDArray> expertGrads,
      DispatchResult dispatch) {}

  private DistributedLayerRun() {}

  /**
   * @param experts_S this rank's expert choices, token-major
   * @param nativeExperts this rank's experts, stacked; their tensors become leaves that record
   *     gradients
   */
  static Result run(
      Communicator comm,
      MoeDispatcher dispatcher,
      NDArray x_TD,
      NDArray router_ND,
      boolean trainRouter,
      long[] experts_S,
      int topK,
      ExpertStack nativeExperts,
      NDArray upstream_TD) {
    NDManager manager = x_TD.getManager();
    try (GradMode grad = GradMode.enabled()) {
      x_TD.setRequiresGradient(true);
      if (trainRouter) {
        router_ND.setRequiresGradient(true);
      }
      List<NDArray> parameters = nativeExperts.tensors();
      parameters.forEach(p -> p.setRequiresGradient(true));

      long tokens = x_TD.getShape().get(0);
      NDArray probs_TN = x_TD.matMul(router_ND.transpose()).softmax(1);
      NDArray choice_TK = manager.create(experts_S, new Shape(tokens, topK));
      NDArray weights_TK = probs_TN.gather(choice_TK, 1);

      DistributedTape tape = DistributedTape.training(comm);
      DispatchResult result = dispatcher.forward(tape, x_TD, experts_S, weights_TK, nativeExperts);
      tape.backward(result.output_TD(), upstream_TD);

      NDArray routerGrad =
          trainRouter
              ? comm.allReduce(router_ND.getGradient(), ai.llep.comm.ReduceOp.SUM)
              : manager.zeros(router_ND.getShape(), router_ND.getDataType());
      List<NDArray> expertGrads = new ArrayList<>();
      parameters.forEach(p -> expertGrads.add(p.getGradient()));
      return new Result(
          result.output_TD().stopGradient(), x_TD.getGradient(), routerGrad, expertGrads, result);
    }
  }
}
