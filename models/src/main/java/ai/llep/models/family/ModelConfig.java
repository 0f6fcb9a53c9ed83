package ai.llep.models.family;

import java.util.List;
import java.util.TreeSet;

/**
 * The shape and numerics of one MoE causal language model, as read from a Hugging Face {@code
 * config.json} ({@link HfConfigParser}). Validated on construction; every error names the {@code
 * config.json} field and its value.
 *
 * @param family the architecture, which fixes tensor names and the attention variant
 * @param vocabSize {@code vocab_size}
 * @param hiddenSize {@code hidden_size}, D
 * @param numLayers {@code num_hidden_layers}
 * @param numHeads {@code num_attention_heads}, H
 * @param numKvHeads {@code num_key_value_heads}, G; G divides H (grouped-query attention)
 * @param headDim {@code head_dim}, or {@code hidden_size / num_attention_heads} where absent
 * @param intermediateSize {@code intermediate_size}: the FFN width of the dense layers
 * @param moeIntermediateSize the FFN width of one expert ({@code moe_intermediate_size} for
 *     Qwen3-MoE, {@code intermediate_size} for Mixtral and OLMoE)
 * @param numExperts experts per MoE layer, E
 * @param topK {@code num_experts_per_tok}, K
 * @param normTopKProb whether the K routing weights are renormalised to sum to one
 * @param rmsNormEps {@code rms_norm_eps}
 * @param ropeTheta the rotary base ({@code rope_theta})
 * @param maxPositions {@code max_position_embeddings}
 * @param tieEmbeddings {@code tie_word_embeddings}: the LM head reuses the embedding table
 * @param attentionBias {@code attention_bias}: q, k, v and o projections carry biases
 * @param qkNorm where queries and keys are normalised
 * @param clipQkv OLMoE's {@code clip_qkv} bound on |q|, |k|, |v|; 0 when absent
 * @param initializerRange {@code initializer_range}: the std of random initial weights
 * @param denseLayers the layers whose MLP is a dense SwiGLU instead of an MoE block, ascending
 * @param ropeScaling how the rotary frequencies are scaled ({@link RopeScaling#NONE}: plain RoPE)
 * @param slidingWindows per layer, how many positions (the query's own included) a query sees; 0
 *     for full causal attention
 * @param attentionSinks whether each attention head has a learned sink logit in its softmax
 * @param routerBias whether the router has a bias
 */
public record ModelConfig(
    ModelFamily family,
    int vocabSize,
    int hiddenSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int intermediateSize,
    int moeIntermediateSize,
    int numExperts,
    int topK,
    boolean normTopKProb,
    double rmsNormEps,
    double ropeTheta,
    int maxPositions,
    boolean tieEmbeddings,
    boolean attentionBias,
    QkNorm qkNorm,
    double clipQkv,
    double initializerRange,
    List<Integer> denseLayers,
    RopeScaling ropeScaling,
    List<Integer> slidingWindows,
    boolean attentionSinks,
    boolean routerBias) {

  public ModelConfig {
    if (family == null
        || qkNorm == null
        || denseLayers == null
        || ropeScaling == null
        || slidingWindows == null) {
      throw new IllegalArgumentException(
          "family, qkNorm, denseLayers, ropeScaling and slidingWindows must not be null");
    }
    slidingWindows = List.copyOf(slidingWindows);
    if (slidingWindows.size() != numLayers || slidingWindows.stream().anyMatch(w -> w < 0)) {
      throw new IllegalArgumentException(
          "sliding windows must be one value >= 0 per layer (num_hidden_layers = "
              + numLayers
              + "), got "
              + slidingWindows);
    }
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numLayers);
    positive("num_attention_heads", numHeads);
    positive("num_key_value_heads", numKvHeads);
    positive("intermediate_size", intermediateSize);
    positive("moe_intermediate_size", moeIntermediateSize);
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(
          "num_key_value_heads ("
              + numKvHeads
              + ") must divide num_attention_heads ("
              + numHeads
              + ")");
    }
    if (headDim < 2 || headDim % 2 != 0) {
      throw new IllegalArgumentException(
          "head_dim must be even and >= 2 for rotary embeddings, got " + headDim);
    }
    if (qkNorm == QkNorm.FULL && numHeads * headDim != hiddenSize) {
      throw new IllegalArgumentException(
          "head_dim ("
              + headDim
              + ") times num_attention_heads ("
              + numHeads
              + ") must equal hidden_size ("
              + hiddenSize
              + ") for "
              + family.modelType());
    }
    denseLayers = sortedLayers(denseLayers, numLayers);
    if (denseLayers.size() < numLayers) {
      positive("num_experts", numExperts);
      if (topK < 1 || topK > numExperts) {
        throw new IllegalArgumentException(
            "num_experts_per_tok must be in [1, num_experts = " + numExperts + "], got " + topK);
      }
    }
    finitePositive("rms_norm_eps", rmsNormEps);
    finitePositive("rope_theta", ropeTheta);
    positive("max_position_embeddings", maxPositions);
    if (!(clipQkv >= 0) || Double.isInfinite(clipQkv)) {
      throw new IllegalArgumentException(
          "clip_qkv must be finite and >= 0 (0: no clipping), got " + clipQkv);
    }
    if (!(initializerRange >= 0) || Double.isInfinite(initializerRange)) {
      throw new IllegalArgumentException(
          "initializer_range must be finite and >= 0, got " + initializerRange);
    }
  }

  /** Whether layer {@code layer}'s MLP is an MoE block. */
  public boolean isMoeLayer(int layer) {
    if (layer < 0 || layer >= numLayers) {
      throw new IllegalArgumentException("layer must be in [0, " + numLayers + "), got " + layer);
    }
    return !denseLayers.contains(layer);
  }

  /** Layer {@code layer}'s attention window (0: full causal attention). */
  public int slidingWindow(int layer) {
    return slidingWindows.get(layer);
  }

  /** H / G: how many query heads share one key/value head. */
  public int kvGroups() {
    return numHeads / numKvHeads;
  }

  /**
   * Checks that the experts split evenly over {@code ranks} ranks (each rank owns E / P of every
   * MoE layer's experts).
   */
  public void checkRanks(int ranks) {
    if (ranks < 1) {
      throw new IllegalArgumentException("the world size must be >= 1, got " + ranks);
    }
    if (denseLayers.size() < numLayers && numExperts % ranks != 0) {
      throw new IllegalArgumentException(
          "num_experts ("
              + numExperts
              + ") must be divisible by the world size ("
              + ranks
              + ") so that every rank owns the same number of experts");
    }
  }

  private static List<Integer> sortedLayers(List<Integer> layers, int numLayers) {
    TreeSet<Integer> sorted = new TreeSet<>();
    for (Integer layer : layers) {
      if (layer == null || layer < 0 || layer >= numLayers) {
        throw new IllegalArgumentException(
            "mlp_only_layers entries must be in [0, num_hidden_layers = "
                + numLayers
                + "), got "
                + layer);
      }
      sorted.add(layer);
    }
    return List.copyOf(sorted);
  }

  private static void positive(String field, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be >= 1, got " + value);
    }
  }

  private static void finitePositive(String field, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(field + " must be finite and > 0, got " + value);
    }
  }
}
