package ai.llep.reference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;

/**
 * The single-process reference for exactness checks: a dense MoE in float64 that runs every expert
 * on every token and mixes the outputs with the routing weights. It shares no code with the
 * dispatcher: no slots, no permutations, no plan.
 */
public final class DenseMoeReference {
  /** Gradients and output of the reference, all float64. */
  public record Result(
      NDArray output_TD,
      NDArray inputGrad_TD,
      NDArray routerGrad_ND,
      NDArray gateGrad_NFD,
      NDArray upGrad_NFD,
      NDArray downGrad_NDF,
      NDArray gateBiasGrad_NF,
      NDArray upBiasGrad_NF,
      NDArray downBiasGrad_ND) {}

  /**
   * @param experts_TK expert ids of each token's K slots
   * @param upstream_TD the gradient of the loss with respect to the output
   * @param biases gate, up (each [N, F]) and down ([N, D]) biases, or null
   */
  public static Result run(
      NDManager manager,
      NDArray x_TD,
      NDArray router_ND,
      NDArray experts_TK,
      NDArray gate_NFD,
      NDArray up_NFD,
      NDArray down_NDF,
      NDList biases,
      NDArray upstream_TD) {
    NDArray x = leaf(x_TD);
    NDArray router = leaf(router_ND);
    NDArray gate = leaf(gate_NFD);
    NDArray up = leaf(up_NFD);
    NDArray down = leaf(down_NDF);
    NDList bias = new NDList();
    if (biases != null) {
      biases.forEach(b -> bias.add(leaf(b)));
    }
    try (GradMode grad = GradMode.enabled()) {
      NDArray probs_TN = x.matMul(router.transpose()).softmax(1);
      NDArray weights_TK = probs_TN.gather(experts_TK, 1);
      long experts = gate_NFD.getShape().get(0);
      NDArray output = manager.zeros(x_TD.getShape(), DataType.FLOAT64);
      for (int e = 0; e < experts; e++) {
        NDArray gateX = x.matMul(gate.get(e).transpose());
        NDArray upX = x.matMul(up.get(e).transpose());
        if (!bias.isEmpty()) {
          gateX = gateX.add(bias.get(0).get(e));
          upX = upX.add(bias.get(1).get(e));
        }
        NDArray expertOut =
            gateX.mul(Activation.sigmoid(gateX)).mul(upX).matMul(down.get(e).transpose());
        if (!bias.isEmpty()) {
          expertOut = expertOut.add(bias.get(2).get(e));
        }
        NDArray mix_T =
            weights_TK.mul(experts_TK.eq(e).toType(DataType.FLOAT64, false)).sum(new int[] {1});
        output = output.add(expertOut.mul(mix_T.expandDims(1)));
      }
      NDArray loss = output.mul(upstream_TD.toType(DataType.FLOAT64, false)).sum();
      Gradients.backward(loss, manager.ones(loss.getShape(), DataType.FLOAT64));
      NDArray outputCopy = output.stopGradient();
      return new Result(
          outputCopy,
          x.getGradient(),
          router.getGradient(),
          gate.getGradient(),
          up.getGradient(),
          down.getGradient(),
          bias.isEmpty() ? null : bias.get(0).getGradient(),
          bias.isEmpty() ? null : bias.get(1).getGradient(),
          bias.isEmpty() ? null : bias.get(2).getGradient());
    }
  }

  private static NDArray leaf(NDArray array) {
    NDArray copy = array.toType(DataType.FLOAT64, false).duplicate();
    copy.setRequiresGradient(true);
    return copy;
  }

  private DenseMoeReference() {}
}
