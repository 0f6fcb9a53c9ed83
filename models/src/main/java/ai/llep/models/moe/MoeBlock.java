package ai.llep.models.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.dispatch.DispatchResult;
import ai.llep.dispatch.ExpertStack;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.layers.StepView;
import ai.llep.models.layers.Upcast;
import ai.llep.tape.DistributedTape;
import java.util.ArrayList;
import java.util.List;

/**
 * One sparse MoE block: a router (with a bias for gpt-oss), a softmax over experts in float32,
 * top-K on the device ({@code torch.topk}, as the reference implementations route), the K routing
 * weights gathered from the probabilities in the graph (so the router receives gradients) and
 * renormalised to sum to one where the family says so (gpt-oss's softmax over the top-k logits is
 * exactly that renormalisation), then the block's dispatcher runs the experts across ranks on this
 * rank's native experts (stacked, in the dispatcher's expert function's tensor order). The expert
 * ids never visit the host: only the dispatcher's count exchange does.
 */
public final class MoeBlock {
  private final int layer;
  private final NDArray router_ED;
  private final NDArray routerBias_E;
  private final ExpertStack nativeExperts;
  private final MoeDispatcher dispatcher;
  private final int topK;
  private final boolean renormalize;

  /**
   * @param router_ED the router weight [E, D]
   * @param routerBias_E the router bias [E], or null for none
   * @param nativeExperts this rank's experts in expert order, stacked (model-owned parameters)
   * @param dispatcher runs this block's experts across ranks (its planner and expert function)
   */
  public MoeBlock(
      int layer,
      NDArray router_ED,
      NDArray routerBias_E,
      ExpertStack nativeExperts,
      MoeDispatcher dispatcher,
      int topK,
      boolean renormalize) {
    long experts = router_ED.getShape().get(0);
    if (topK < 1 || topK > experts) {
      throw new IllegalArgumentException("top-k must be in [1, " + experts + "], got " + topK);
    }
    this.layer = layer;
    this.router_ED = router_ED;
    this.routerBias_E = routerBias_E;
    this.nativeExperts = nativeExperts;
    this.dispatcher = dispatcher;
    this.topK = topK;
    this.renormalize = renormalize;
  }

  /**
   * Routes and computes {@code x_TD}; every rank calls this for every MoE layer in the same order,
   * with or without tokens.
   */
  public MoeOutput forward(DistributedTape tape, NDArray x_TD) {
    NDManager manager = x_TD.getManager();
    int tokens = Math.toIntExact(x_TD.getShape().get(0));
    NDArray logits_TE = x_TD.matMul(StepView.of(router_ED, manager).transpose());
    if (routerBias_E != null) {
      logits_TE = logits_TE.add(StepView.of(routerBias_E, manager));
    }
    NDArray probs_TE = Upcast.toFloat32(logits_TE).softmax(1);
    NDArray chosen_TK = probs_TE.topK(topK, 1, true, true).get(1);
    NDArray weights_TK = probs_TE.gather(chosen_TK, 1);
    if (renormalize) {
      weights_TK = weights_TK.div(weights_TK.sum(new int[] {1}, true));
    }
    weights_TK = Upcast.restore(weights_TK, x_TD.getDataType());

    List<NDArray> stepTensors = new ArrayList<>();
    for (NDArray tensor : nativeExperts.tensors()) {
      stepTensors.add(StepView.of(tensor, manager));
    }
    DispatchResult result =
        dispatcher.forward(
            tape,
            x_TD,
            chosen_TK.reshape((long) tokens * topK),
            weights_TK,
            new ExpertStack(stepTensors));
    return new MoeOutput(
        result.output_TD(),
        new RoutingStats(layer, result.stats().localExpertLoads(), result.stats()));
  }
}
