package ai.llep.models.moe;

import ai.djl.ndarray.NDArray;
import ai.llep.aten.Aten;
import ai.llep.dispatch.DispatchResult;
import ai.llep.dispatch.ExpertStack;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.layers.StepView;
import ai.llep.models.layers.Upcast;
import ai.llep.tape.DistributedTape;
import java.util.ArrayList;
import java.util.List;

/**
 * One sparse MoE block: a router (with a bias for gpt-oss), a softmax over experts in float32 (the
 * routing weights then cast to the activations' type, as Qwen3-MoE and OLMoE do), top-K on the
 * device ({@code torch.topk}, as the reference implementations route), the K routing weights
 * gathered from the probabilities in the graph (so the router receives gradients) and renormalised
 * to sum to one where the family says so (gpt-oss's softmax over the top-k logits is exactly that
 * renormalisation), then the block's dispatcher runs the experts across ranks on this rank's native
 * experts (stacked, in the dispatcher's expert function's tensor order, each in the activations'
 * type). The expert ids never visit the host: only the dispatcher's count exchange does.
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
    return forward(tape, x_TD, null, false);
  }

  /**
   * {@link #forward(DistributedTape, NDArray)} that routes to the experts {@code record} kept from
   * an earlier forward of the same tokens, or, on the first forward, keeps them and the statistics
   * there.
   *
   * @param record null to route afresh and keep nothing
   * @param recomputeExperts checkpoint the experts: keep their inputs and outputs, recompute the
   *     expert function in the backward ({@link MoeDispatcher#recomputingExperts})
   */
  public MoeOutput forward(
      DistributedTape tape, NDArray x_TD, RoutingRecord record, boolean recomputeExperts) {
    int tokens = Math.toIntExact(x_TD.getShape().get(0));
    NDArray logits_TE = x_TD.matMul(StepView.like(router_ED, x_TD).transpose());
    if (routerBias_E != null) {
      logits_TE = logits_TE.add(StepView.like(routerBias_E, x_TD));
    }
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

    List<NDArray> stepTensors = new ArrayList<>();
    for (NDArray tensor : nativeExperts.tensors()) {
      stepTensors.add(StepView.like(tensor, x_TD));
    }
    MoeDispatcher experts = recomputeExperts ? dispatcher.recomputingExperts() : dispatcher;
    DispatchResult result =
        experts.forward(
            tape,
            x_TD,
            chosen_TK.reshape((long) tokens * topK),
            weights_TK,
            new ExpertStack(stepTensors));
    RoutingStats stats = new RoutingStats(layer, result.pending());
    if (record != null && !replay) {
      record.keep(chosen_TK, stats);
    }
    return new MoeOutput(result.output_TD(), replay ? record.stats() : stats);
  }
}
