package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import ai.llep.dispatch.ExpertStack;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.family.FamilyExperts;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.QkNorm;
import ai.llep.models.family.TensorNames;
import ai.llep.models.layers.Attention;
import ai.llep.models.layers.AttentionContext;
import ai.llep.models.layers.CachedAttentionContext;
import ai.llep.models.layers.LayerKv;
import ai.llep.models.layers.Linear;
import ai.llep.models.layers.RmsNorm;
import ai.llep.models.layers.SwiGluMlp;
import ai.llep.models.layers.Upcast;
import ai.llep.models.moe.MoeBlock;
import ai.llep.models.moe.RoutingRecord;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Planner;
import ai.llep.tape.DistributedTape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One pre-norm decoder layer: {@code h += attention(norm(h))}, then {@code h += mlp(norm(h))} where
 * the MLP is a dense SwiGLU or an MoE block. The residual stream {@code h} keeps its own type
 * (float32 in mixed precision); the norms hand the branches their input in the compute type, and
 * the branches' outputs are widened back to the stream's type before they are added, as under
 * torch's autocast.
 */
final class DecoderLayer {
  private final RmsNorm inputNorm;
  private final Attention attention;
  private final RmsNorm postAttentionNorm;
  private final SwiGluMlp denseMlp;
  private final MoeBlock moe;
  private final DataType computeType;

  private DecoderLayer(
      RmsNorm inputNorm,
      Attention attention,
      RmsNorm postNorm,
      SwiGluMlp dense,
      MoeBlock moe,
      DataType computeType) {
    this.computeType = computeType;
    this.inputNorm = inputNorm;
    this.attention = attention;
    this.postAttentionNorm = postNorm;
    this.denseMlp = dense;
    this.moe = moe;
  }

  /**
   * Layer {@code layer} over the arrays {@code param} returns by name; {@code experts} are this
   * rank's expert ids (consecutive), held as one stacked parameter per projection, which an MoE
   * layer dispatches with {@code planner} over {@code placement}; the branches compute in {@code
   * computeType}.
   */
  static DecoderLayer build(
      ModelConfig c,
      DataType computeType,
      int layer,
      List<Integer> experts,
      Function<String, NDArray> param,
      ExpertPlacement placement,
      Planner planner,
      LayerAdapters adapters) {
    TensorNames n = new TensorNames(c.family());
    double eps = c.rmsNormEps();
    Attention attention =
        new Attention(
            linear(c, n, layer, 'q', param, adapters),
            linear(c, n, layer, 'k', param, adapters),
            linear(c, n, layer, 'v', param, adapters),
            linear(c, n, layer, 'o', param, adapters),
            c.qkNorm(),
            c.qkNorm() == QkNorm.NONE ? null : new RmsNorm(param.apply(n.queryNorm(layer)), eps),
            c.qkNorm() == QkNorm.NONE ? null : new RmsNorm(param.apply(n.keyNorm(layer)), eps),
            c.numHeads(),
            c.numKvHeads(),
            c.headDim(),
            c.clipQkv(),
            c.attentionSinks() ? param.apply(n.sinks(layer)) : null,
            c.slidingWindow(layer));
    RmsNorm inputNorm = new RmsNorm(param.apply(n.inputNorm(layer)), eps);
    RmsNorm postNorm = new RmsNorm(param.apply(n.postAttentionNorm(layer)), eps);
    if (!c.isMoeLayer(layer)) {
      SwiGluMlp mlp =
          new SwiGluMlp(
              denseMlp(n.denseMlp(layer, "gate"), param, adapters),
              denseMlp(n.denseMlp(layer, "up"), param, adapters),
              denseMlp(n.denseMlp(layer, "down"), param, adapters));
      return new DecoderLayer(inputNorm, attention, postNorm, mlp, null, computeType);
    }
    int first = experts.getFirst();
    int end = experts.getLast() + 1;
    List<NDArray> stacked = new ArrayList<>();
    for (String proj : FamilyExperts.projections(c)) {
      stacked.add(param.apply(n.expertStack(layer, proj, first, end)));
    }
    stacked.addAll(adapters.expertTensors(layer));
    MoeBlock moe =
        new MoeBlock(
            layer,
            param.apply(n.router(layer)),
            c.routerBias() ? param.apply(n.routerBias(layer)) : null,
            new ExpertStack(stacked),
            adapters.dispatcher(
                layer,
                new MoeDispatcher(
                    placement, planner, adapters.experts(layer, FamilyExperts.of(c)))),
            c.topK(),
            c.normTopKProb());
    return new DecoderLayer(inputNorm, attention, postNorm, null, moe, computeType);
  }

  private static Linear linear(
      ModelConfig c,
      TensorNames n,
      int layer,
      char proj,
      Function<String, NDArray> param,
      LayerAdapters adapters) {
    NDArray bias = c.attentionBias() ? param.apply(n.attention(layer, proj, "bias")) : null;
    String weight = n.attention(layer, proj, "weight");
    return new Linear(param.apply(weight), bias, adapters.linear(weight));
  }

  private static Linear denseMlp(
      String weight, Function<String, NDArray> param, LayerAdapters adapters) {
    return new Linear(param.apply(weight), null, adapters.linear(weight));
  }

  /** The attention window of this layer when it attends with explicit math, else empty. */
  java.util.OptionalInt explicitWindow() {
    return attention.explicit()
        ? java.util.OptionalInt.of(attention.window())
        : java.util.OptionalInt.empty();
  }

  /**
   * @param routing keeps this layer's routing when it is an MoE layer, or replays the routing it
   *     kept from an earlier forward of the same input (a recompute)
   * @param recomputeExperts whether an MoE layer checkpoints its experts ({@link
   *     MoeDispatcher#recomputingExperts})
   */
  NDArray forward(
      DistributedTape tape,
      NDArray h_TD,
      AttentionContext ctx,
      RoutingRecord routing,
      boolean recomputeExperts) {
    NDArray attended_TD = attention.forward(inputNorm.forward(h_TD, computeType), ctx);
    return feedForward(tape, residual(h_TD, attended_TD), routing, recomputeExperts);
  }

  /**
   * {@link #forward} for the new positions of a cached pass (generation, no backward): attention
   * over {@code cache}, to which their keys and values are added.
   */
  NDArray forwardCached(
      DistributedTape tape,
      NDArray h_TD,
      CachedAttentionContext ctx,
      LayerKv cache,
      RoutingRecord routing) {
    NDArray attended_TD = attention.forwardCached(inputNorm.forward(h_TD, computeType), ctx, cache);
    return feedForward(tape, residual(h_TD, attended_TD), routing, false);
  }

  private NDArray feedForward(
      DistributedTape tape, NDArray h_TD, RoutingRecord routing, boolean recomputeExperts) {
    NDArray normed_TD = postAttentionNorm.forward(h_TD, computeType);
    if (moe == null) {
      return residual(h_TD, denseMlp.forward(normed_TD));
    }
    return residual(h_TD, moe.forward(tape, normed_TD, routing, recomputeExperts).output_TD());
  }

  /** {@code h_TD + branch_TD} in the residual stream's type. */
  private static NDArray residual(NDArray h_TD, NDArray branch_TD) {
    return h_TD.add(Upcast.restore(branch_TD, Aten.dtype(h_TD)));
  }
}
