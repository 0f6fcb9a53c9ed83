package ai.llep.models;

import ai.djl.ndarray.types.Shape;
import ai.llep.models.TensorSpec.Init;
import ai.llep.models.family.FamilyExperts;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.QkNorm;
import ai.llep.models.family.TensorNames;
import ai.llep.plan.ExpertPlacement;
import java.util.ArrayList;
import java.util.List;

/**
 * Every tensor of a model, in registry order: embedding; per layer the input norm, attention (q, k,
 * v, o with their biases, q/k norms, sinks), post-attention norm, then the dense MLP or the router
 * (and its bias) and each expert's tensors in its expert function's order (gate, up, down for
 * SwiGLU); final norm; untied LM head.
 */
public final class TensorLayout {
  private TensorLayout() {}

  /** The tensors of a whole checkpoint. */
  public static List<TensorSpec> all(ModelConfig config) {
    return build(config, 0, config.numExperts());
  }

  /** The tensors rank {@code rank} of {@code worldSize} holds: all dense ones, its own experts. */
  public static List<TensorSpec> owned(ModelConfig config, int rank, int worldSize) {
    config.checkRanks(worldSize);
    if (config.denseLayers().size() == config.numLayers()) {
      return build(config, 0, 0);
    }
    ExpertPlacement placement = new ExpertPlacement(config.numExperts(), worldSize);
    int first = placement.firstExpert(rank);
    return build(config, first, first + placement.expertsPerRank());
  }

  /**
   * The stacked expert parameters rank {@code rank} of {@code worldSize} holds: per MoE layer, its
   * experts' weights of each projection the family stacks ({@link FamilyExperts#projections}), each
   * stacked along a first dimension.
   */
  static List<ExpertStackSpec> expertStacks(ModelConfig config, int rank, int worldSize) {
    if (config.denseLayers().size() == config.numLayers()) {
      return List.of();
    }
    ExpertPlacement placement = new ExpertPlacement(config.numExperts(), worldSize);
    int first = placement.firstExpert(rank);
    int end = first + placement.expertsPerRank();
    TensorNames names = new TensorNames(config.family());
    List<ExpertStackSpec> stacks = new ArrayList<>();
    for (int layer = 0; layer < config.numLayers(); layer++) {
      if (!config.isMoeLayer(layer)) {
        continue;
      }
      for (String proj : FamilyExperts.projections(config)) {
        List<String> slices = new ArrayList<>();
        for (int e = first; e < end; e++) {
          slices.add(names.expertWeight(layer, e, proj));
        }
        stacks.add(
            new ExpertStackSpec(names.expertStack(layer, proj, first, end), layer, first, slices));
      }
    }
    return List.copyOf(stacks);
  }

  private static List<TensorSpec> build(ModelConfig c, int firstExpert, int endExpert) {
    TensorNames names = new TensorNames(c.family());
    List<TensorSpec> specs = new ArrayList<>();
    long d = c.hiddenSize();
    specs.add(dense(names.embedding(), -1, Init.NORMAL, c.vocabSize(), d));
    for (int layer = 0; layer < c.numLayers(); layer++) {
      specs.add(dense(names.inputNorm(layer), layer, Init.ONES, d));
      attention(c, names, layer, specs);
      specs.add(dense(names.postAttentionNorm(layer), layer, Init.ONES, d));
      if (c.isMoeLayer(layer)) {
        experts(c, names, layer, firstExpert, endExpert, specs);
      } else {
        long f = c.intermediateSize();
        specs.add(dense(names.denseMlp(layer, "gate"), layer, Init.NORMAL, f, d));
        specs.add(dense(names.denseMlp(layer, "up"), layer, Init.NORMAL, f, d));
        specs.add(dense(names.denseMlp(layer, "down"), layer, Init.NORMAL, d, f));
      }
    }
    specs.add(dense(names.finalNorm(), -1, Init.ONES, d));
    if (!c.tieEmbeddings()) {
      specs.add(dense(names.lmHead(), -1, Init.NORMAL, c.vocabSize(), d));
    }
    return List.copyOf(specs);
  }

  private static void attention(ModelConfig c, TensorNames names, int layer, List<TensorSpec> out) {
    long d = c.hiddenSize();
    long[] widths = {
      (long) c.numHeads() * c.headDim(),
      (long) c.numKvHeads() * c.headDim(),
      (long) c.numKvHeads() * c.headDim()
    };
    char[] projections = {'q', 'k', 'v'};
    for (int i = 0; i < 3; i++) {
      out.add(
          dense(
              names.attention(layer, projections[i], "weight"), layer, Init.NORMAL, widths[i], d));
      if (c.attentionBias()) {
        out.add(
            dense(names.attention(layer, projections[i], "bias"), layer, Init.ZEROS, widths[i]));
      }
    }
    out.add(dense(names.attention(layer, 'o', "weight"), layer, Init.NORMAL, d, widths[0]));
    if (c.attentionBias()) {
      out.add(dense(names.attention(layer, 'o', "bias"), layer, Init.ZEROS, d));
    }
    if (c.attentionSinks()) {
      out.add(dense(names.sinks(layer), layer, Init.NORMAL, c.numHeads()));
    }
    if (c.qkNorm() == QkNorm.PER_HEAD) {
      out.add(dense(names.queryNorm(layer), layer, Init.ONES, c.headDim()));
      out.add(dense(names.keyNorm(layer), layer, Init.ONES, c.headDim()));
    } else if (c.qkNorm() == QkNorm.FULL) {
      out.add(dense(names.queryNorm(layer), layer, Init.ONES, widths[0]));
      out.add(dense(names.keyNorm(layer), layer, Init.ONES, widths[1]));
    }
  }

  private static void experts(
      ModelConfig c, TensorNames names, int layer, int first, int end, List<TensorSpec> out) {
    long d = c.hiddenSize();
    out.add(
        new TensorSpec(
            names.router(layer),
            new Shape(c.numExperts(), d),
            ParameterKind.ROUTER,
            layer,
            -1,
            Init.NORMAL));
    if (c.routerBias()) {
      out.add(
          new TensorSpec(
              names.routerBias(layer),
              new Shape(c.numExperts()),
              ParameterKind.ROUTER,
              layer,
              -1,
              Init.NORMAL));
    }
    List<String> projections = FamilyExperts.projections(c);
    List<Shape> shapes = FamilyExperts.of(c).expertShapes();
    for (int e = first; e < end; e++) {
      for (int i = 0; i < projections.size(); i++) {
        out.add(expert(names.expertWeight(layer, e, projections.get(i)), layer, e, shapes.get(i)));
      }
    }
  }

  private static TensorSpec dense(String name, int layer, Init init, long... shape) {
    return new TensorSpec(name, new Shape(shape), ParameterKind.DENSE, layer, -1, init);
  }

  /** An expert tensor: a weight drawn like a linear layer's, a bias (one dimension) zero. */
  private static TensorSpec expert(String name, int layer, int expert, Shape shape) {
    Init init = shape.dimension() == 1 ? Init.ZEROS : Init.NORMAL;
    return new TensorSpec(name, shape, ParameterKind.EXPERT, layer, expert, init);
  }
}
