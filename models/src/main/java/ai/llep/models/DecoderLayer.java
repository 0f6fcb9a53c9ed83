package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.llep.dispatch.ExpertStack;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.QkNorm;
import ai.llep.models.family.TensorNames;
import ai.llep.models.layers.Attention;
import ai.llep.models.layers.AttentionContext;
import ai.llep.models.layers.CachedAttentionContext;
import ai.llep.models.layers.LayerKv;
import ai.llep.models.layers.Linear;
import ai.llep.models.layers.RmsNorm;
import ai.llep.models.layers.SwiGluMlp;
import ai.llep.models.moe.MoeBlock;
import ai.llep.models.moe.MoeOutput;
import ai.llep.models.moe.RoutingStats;
import ai.llep.tape.DistributedTape;
import java.util.List;
import java.util.function.Function;

/**
 * One pre-norm decoder layer: {@code h += attention(norm(h))}, then {@code h += mlp(norm(h))} where
 * the MLP is a dense SwiGLU or an MoE block.
 */
final class DecoderLayer {
  private final RmsNorm inputNorm;
  private final Attention attention;
  private final RmsNorm postAttentionNorm;
  private final SwiGluMlp denseMlp;
  private final MoeBlock moe;

  private DecoderLayer(
      RmsNorm inputNorm, Attention attention, RmsNorm postNorm, SwiGluMlp dense, MoeBlock moe) {
    this.inputNorm = inputNorm;
    this.attention = attention;
    this.postAttentionNorm = postNorm;
    this.denseMlp = dense;
    this.moe = moe;
  }

  /**
   * Layer {@code layer} over the arrays {@code param} returns by name; {@code experts} are this
   * rank's expert ids (consecutive), held as one stacked parameter per projection.
   */
  static DecoderLayer build(
      ModelConfig c, int layer, List<Integer> experts, Function<String, NDArray> param) {
    TensorNames n = new TensorNames(c.family());
    double eps = c.rmsNormEps();
    Attention attention =
        new Attention(
            linear(c, n, layer, 'q', param),
            linear(c, n, layer, 'k', param),
            linear(c, n, layer, 'v', param),
            linear(c, n, layer, 'o', param),
            c.qkNorm(),
            c.qkNorm() == QkNorm.NONE ? null : new RmsNorm(param.apply(n.queryNorm(layer)), eps),
            c.qkNorm() == QkNorm.NONE ? null : new RmsNorm(param.apply(n.keyNorm(layer)), eps),
            c.numHeads(),
            c.numKvHeads(),
            c.headDim(),
            c.clipQkv());
    RmsNorm inputNorm = new RmsNorm(param.apply(n.inputNorm(layer)), eps);
    RmsNorm postNorm = new RmsNorm(param.apply(n.postAttentionNorm(layer)), eps);
    if (!c.isMoeLayer(layer)) {
      SwiGluMlp mlp =
          new SwiGluMlp(
              new Linear(param.apply(n.denseMlp(layer, "gate")), null),
              new Linear(param.apply(n.denseMlp(layer, "up")), null),
              new Linear(param.apply(n.denseMlp(layer, "down")), null));
      return new DecoderLayer(inputNorm, attention, postNorm, mlp, null);
    }
    int first = experts.getFirst();
    int end = experts.getLast() + 1;
    ExpertStack stack =
        ExpertStack.withoutBias(
            param.apply(n.expertStack(layer, "gate", first, end)),
            param.apply(n.expertStack(layer, "up", first, end)),
            param.apply(n.expertStack(layer, "down", first, end)));
    boolean renormalize = c.family() == ModelFamily.MIXTRAL || c.normTopKProb();
    MoeBlock moe = new MoeBlock(layer, param.apply(n.router(layer)), stack, c.topK(), renormalize);
    return new DecoderLayer(inputNorm, attention, postNorm, null, moe);
  }

  private static Linear linear(
      ModelConfig c, TensorNames n, int layer, char proj, Function<String, NDArray> param) {
    NDArray bias = c.attentionBias() ? param.apply(n.attention(layer, proj, "bias")) : null;
    return new Linear(param.apply(n.attention(layer, proj, "weight")), bias);
  }

  /**
   * @param routing receives this layer's routing statistics when it is an MoE layer
   */
  NDArray forward(
      DistributedTape tape,
      NDArray h_TD,
      AttentionContext ctx,
      MoeDispatcher dispatcher,
      List<RoutingStats> routing) {
    return feedForward(
        tape, h_TD.add(attention.forward(inputNorm.forward(h_TD), ctx)), dispatcher, routing);
  }

  /**
   * {@link #forward} for the new positions of a cached pass: attention over {@code cache}, to which
   * their keys and values are added.
   */
  NDArray forwardCached(
      DistributedTape tape,
      NDArray h_TD,
      CachedAttentionContext ctx,
      LayerKv cache,
      MoeDispatcher dispatcher,
      List<RoutingStats> routing) {
    NDArray attended_TD = attention.forwardCached(inputNorm.forward(h_TD), ctx, cache);
    return feedForward(tape, h_TD.add(attended_TD), dispatcher, routing);
  }

  private NDArray feedForward(
      DistributedTape tape, NDArray h_TD, MoeDispatcher dispatcher, List<RoutingStats> routing) {
    NDArray normed_TD = postAttentionNorm.forward(h_TD);
    if (moe == null) {
      return h_TD.add(denseMlp.forward(normed_TD));
    }
    MoeOutput out = moe.forward(tape, normed_TD, dispatcher);
    routing.add(out.stats());
    return h_TD.add(out.output_TD());
  }
}
