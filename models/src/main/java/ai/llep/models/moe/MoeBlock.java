package ai.llep.models.moe;

import ai.djl.ndarray.NDArray;
import ai.llep.aten.Aten;
import ai.llep.dispatch.DispatchResult;
import ai.llep.dispatch.ExpertStack;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.layers.StepView;
import ai.llep.models.layers.Upcast;
import ai.llep.tape.DistributedTape;

/**
 * One sparse MoE block: a bias-free router, a softmax over experts in float32 (the routing weights
 * then cast to the activations' type, as Qwen3-MoE and OLMoE do), top-K on the device ({@code
 * torch.topk}, as the reference implementations route), the K routing weights gathered from the
 * probabilities in the graph (so the router receives gradients) and renormalised to sum to one
 * where the family says so, then the dispatcher runs the experts across ranks with this rank's
 * native experts, stacked so that small ones run as batched GEMMs. The expert ids never visit the
 * host: only the dispatcher's count exchange does.
 */
public final class MoeBlock {
  private final int layer;
  private final NDArray router_ED;
  private final ExpertStack nativeExperts;
  private final int topK;
  private final boolean renormalize;

  /**
   * @param router_ED the router weight [E, D]
   * @param nativeExperts this rank's experts in expert order, stacked (model-owned parameters)
   */
  public MoeBlock(
      int layer, NDArray router_ED, ExpertStack nativeExperts, int topK, boolean renormalize) {
    long experts = router_ED.getShape().get(0);
    if (nativeExperts.hasBias()) {
      throw new IllegalArgumentException("the MoE families here have no expert biases");
    }
    if (topK < 1 || topK > experts) {
      throw new IllegalArgumentException("top-k must be in [1, " + experts + "], got " + topK);
    }
    this.layer = layer;
    this.router_ED = router_ED;
    this.nativeExperts = nativeExperts;
    this.topK = topK;
    this.renormalize = renormalize;
  }

  /**
   * Routes and computes {@code x_TD}; every rank calls this for every MoE layer in the same order,
   * with or without tokens.
   */
  public MoeOutput forward(DistributedTape tape, NDArray x_TD, MoeDispatcher dispatcher) {
    return forward(tape, x_TD, dispatcher, null);
  }

  /**
   * {@link #forward(DistributedTape, NDArray, MoeDispatcher)} that routes to the experts {@code
   * record} kept from an earlier forward of the same tokens, or, on the first forward, keeps them
   * and the statistics there.
   *
   * @param record null to route afresh and keep nothing
   */
  public MoeOutput forward(
      DistributedTape tape, NDArray x_TD, MoeDispatcher dispatcher, RoutingRecord record) {
    int tokens = Math.toIntExact(x_TD.getShape().get(0));
    NDArray logits_TE = x_TD.matMul(StepView.like(router_ED, x_TD).transpose());
    NDArray probs_TE = Upcast.toFloat32(logits_TE).softmax(1);
    boolean replay = record != null && record.chosen() != null;
    NDArray chosen_TK =
        replay
            ? StepView.of(record.chosen(), x_TD.getManager())
            : probs_TE.topK(topK, 1, true, true).get(1);
    NDArray weights_TK = probs_TE.gather(chosen_TK, 1);
    if (renormalize) {
      weights_TK = weights_TK.div(weights_TK.sum(new int[] {1}, true));
    }
    weights_TK = Upcast.restore(weights_TK, Aten.dtype(x_TD));

    ExpertStack stepExperts =
        ExpertStack.withoutBias(
            StepView.like(nativeExperts.gate_EFD(), x_TD),
            StepView.like(nativeExperts.up_EFD(), x_TD),
            StepView.like(nativeExperts.down_EDF(), x_TD));
    DispatchResult result =
        dispatcher.forward(
            tape, x_TD, chosen_TK.reshape((long) tokens * topK), weights_TK, stepExperts);
    RoutingStats stats = new RoutingStats(layer, result.stats().localExpertLoads(), result.stats());
    if (record != null && !replay) {
      record.keep(chosen_TK, stats);
    }
    return new MoeOutput(result.output_TD(), replay ? record.stats() : stats);
  }
}
