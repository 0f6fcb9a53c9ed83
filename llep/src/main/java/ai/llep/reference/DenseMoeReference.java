package ai.llep.reference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.dispatch.ExpertFunction;
import ai.llep.dispatch.ExpertGroup;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import java.util.ArrayList;
import java.util.List;

/**
 * The single-process reference for exactness checks: a dense MoE in float64 that runs every expert
 * on every token (the {@link ExpertFunction} on one expert at a time) and mixes the outputs with
 * the routing weights. It shares no routing code with the dispatcher: no slots, no permutations, no
 * plan, no batching or grouping of experts.
 */
public final class DenseMoeReference {
  /**
   * Gradients and output of the reference, all float64.
   *
   * @param expertGrads_N the gradient of each stacked expert tensor, [N, ...], in transfer order
   */
  public record Result(
      NDArray output_TD, NDArray inputGrad_TD, NDArray routerGrad_ND, List<NDArray> expertGrads_N) {
    public Result {
      expertGrads_N = List.copyOf(expertGrads_N);
    }
  }

  /**
   * @param experts what each expert computes
   * @param experts_TK expert ids of each token's K slots
   * @param stacked_N every expert's tensors, stacked [N, ...] per tensor in transfer order
   * @param upstream_TD the gradient of the loss with respect to the output
   */
  public static Result run(
      NDManager manager,
      ExpertFunction experts,
      NDArray x_TD,
      NDArray router_ND,
      NDArray experts_TK,
      List<NDArray> stacked_N,
      NDArray upstream_TD) {
    NDArray x = leaf(x_TD);
    NDArray router = leaf(router_ND);
    List<NDArray> stacked = new ArrayList<>();
    stacked_N.forEach(t -> stacked.add(leaf(t)));
    try (GradMode grad = GradMode.enabled()) {
      NDArray probs_TN = x.matMul(router.transpose()).softmax(1);
      NDArray weights_TK = probs_TN.gather(experts_TK, 1);
      long count = router_ND.getShape().get(0);
      NDArray output = manager.zeros(x_TD.getShape(), DataType.FLOAT64);
      for (int e = 0; e < count; e++) {
        List<NDArray> expert = new ArrayList<>();
        for (NDArray tensor : stacked) {
          expert.add(tensor.get(e));
        }
        NDArray expertOut = experts.forward(ExpertGroup.single(x, expert));
        NDArray mix_T =
            weights_TK.mul(experts_TK.eq(e).toType(DataType.FLOAT64, false)).sum(new int[] {1});
        output = output.add(expertOut.mul(mix_T.expandDims(1)));
      }
      NDArray loss = output.mul(upstream_TD.toType(DataType.FLOAT64, false)).sum();
      Gradients.backward(loss, manager.ones(loss.getShape(), DataType.FLOAT64));
      List<NDArray> expertGrads = new ArrayList<>();
      stacked.forEach(t -> expertGrads.add(t.getGradient()));
      return new Result(output.stopGradient(), x.getGradient(), router.getGradient(), expertGrads);
    }
  }

  /** A float64 copy of {@code array} that records its gradient. */
  private static NDArray leaf(NDArray array) {
    NDArray copy = array.toType(DataType.FLOAT64, false).duplicate();
    copy.setRequiresGradient(true);
    return copy;
  }

  private DenseMoeReference() {}
}
