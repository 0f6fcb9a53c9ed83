package ai.llep.trainer.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.Communicator;
import ai.llep.dispatch.DispatchResult;
import ai.llep.dispatch.ExpertWeights;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.layers.Upcast;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import java.util.ArrayList;
import java.util.List;

/**
 * One forward and backward of the MoE layer across the ranks: router softmax (in at least float32,
 * the routing weights then in the layer's type), routing weights of the synthetic expert choices,
 * dispatch, and the distributed backward of sum(output * upstream).
 */
final class DistributedLayerRun {
  /** This rank's results: output, input gradient, router gradient and its experts' gradients. */
  record Result(
      NDArray output_TD,
      NDArray inputGrad_TD,
      NDArray routerGrad_ND,
      List<NDArray> expertGrads,
      DispatchResult dispatch) {}

  private DistributedLayerRun() {}

  /**
   * @param experts_S this rank's expert choices, token-major
   * @param nativeExperts this rank's experts; their tensors become leaves that record gradients
   */
  static Result run(
      Communicator comm,
      MoeDispatcher dispatcher,
      NDArray x_TD,
      NDArray router_ND,
      boolean trainRouter,
      long[] experts_S,
      int topK,
      List<ExpertWeights> nativeExperts,
      NDArray upstream_TD) {
    NDManager manager = x_TD.getManager();
    try (GradMode grad = GradMode.enabled()) {
      x_TD.setRequiresGradient(true);
      if (trainRouter) {
        router_ND.setRequiresGradient(true);
      }
      List<NDArray> parameters = new ArrayList<>();
      nativeExperts.forEach(e -> parameters.addAll(e.tensors()));
      parameters.forEach(p -> p.setRequiresGradient(true));

      long tokens = x_TD.getShape().get(0);
      DataType type = Aten.dtype(x_TD);
      NDArray logits_TN = x_TD.matMul(router_ND.transpose());
      NDArray probs_TN = Upcast.toFloat32(logits_TN).softmax(1);
      NDArray choice_TK = manager.create(experts_S, new Shape(tokens, topK));
      NDArray weights_TK = Upcast.restore(probs_TN.gather(choice_TK, 1), type);

      DistributedTape tape = DistributedTape.training(comm);
      DispatchResult result = dispatcher.forward(tape, x_TD, experts_S, weights_TK, nativeExperts);
      tape.backward(result.output_TD(), upstream_TD);

      NDArray routerGrad =
          trainRouter
              ? comm.allReduce(Gradients.gradientOf(router_ND), ai.llep.comm.ReduceOp.SUM)
              : Aten.zeros(manager, router_ND.getShape(), type, router_ND.getDevice());
      List<NDArray> expertGrads = new ArrayList<>();
      parameters.forEach(p -> expertGrads.add(Gradients.gradientOf(p)));
      return new Result(
          result.output_TD().stopGradient(),
          Gradients.gradientOf(x_TD),
          routerGrad,
          expertGrads,
          result);
    }
  }

  /** Stacks tensor i of every expert: [M, ...] per position in {@link ExpertWeights#tensors()}. */
  static List<NDArray> stackByPosition(List<NDArray> flat, int perExpert) {
    List<NDArray> stacked = new ArrayList<>();
    for (int position = 0; position < perExpert; position++) {
      NDList column = new NDList();
      for (int i = position; i < flat.size(); i += perExpert) {
        column.add(flat.get(i));
      }
      stacked.add(NDArrays.stack(column));
    }
    return stacked;
  }
}
