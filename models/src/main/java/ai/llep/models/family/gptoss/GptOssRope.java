package ai.llep.models.family.gptoss;

import ai.llep.models.family.ConfigFields;
import ai.llep.models.family.RopeScaling;

/**
 * gpt-oss's {@code rope_parameters} (transformers 5; {@code rope_scaling} in older files): the base
 * {@code rope_theta} and YaRN's fields with transformers' defaults ({@code GptOssConfig}'s YaRN
 * block when the whole entry is absent; {@code beta_fast} 32, {@code beta_slow} 1, {@code truncate}
 * true, {@code original_max_position_embeddings} = {@code max_position_embeddings} when a YaRN
 * block leaves them out), or plain RoPE for {@code rope_type} default.
 */
record GptOssRope(double theta, RopeScaling scaling) {

  static GptOssRope read(ConfigFields f, double topLevelTheta, int maxPositions) {
    ConfigFields rope = f.object("rope_parameters");
    if (rope == null) {
      rope = f.object("rope_scaling");
    }
    if (rope == null) {
      return new GptOssRope(
          topLevelTheta,
          new RopeScaling(RopeScaling.Type.YARN, 32, 32, 1, 4096, false, yarnMscale(32)));
    }
    double theta = rope.number("rope_theta", topLevelTheta);
    String type = rope.string("rope_type", rope.string("type", "default"));
    if (type.equals("default")) {
      return new GptOssRope(theta, RopeScaling.NONE);
    }
    if (!type.equals("yarn")) {
      throw new IllegalArgumentException(
          rope.name("rope_type")
              + " '"
              + type
              + "' is not supported; gpt_oss runs yarn or default");
    }
    int original = rope.integer("original_max_position_embeddings", maxPositions);
    double factor =
        rope.has("factor") ? rope.number("factor", 1) : (double) maxPositions / original;
    double betaFast = rope.number("beta_fast", 0);
    double betaSlow = rope.number("beta_slow", 0);
    return new GptOssRope(
        theta,
        new RopeScaling(
            RopeScaling.Type.YARN,
            factor,
            betaFast == 0 ? 32 : betaFast,
            betaSlow == 0 ? 1 : betaSlow,
            original,
            rope.bool("truncate", true),
            attentionFactor(rope, factor)));
  }

  /** {@code attention_factor}, or YaRN's mscale from the factor (and mscale / mscale_all_dim). */
  private static double attentionFactor(ConfigFields rope, double factor) {
    if (rope.has("attention_factor")) {
      return rope.number("attention_factor", 1);
    }
    double mscale = rope.number("mscale", 0);
    double mscaleAllDim = rope.number("mscale_all_dim", 0);
    if (mscale != 0 && mscaleAllDim != 0) {
      return yarnMscale(factor, mscale) / yarnMscale(factor, mscaleAllDim);
    }
    return yarnMscale(factor);
  }

  private static double yarnMscale(double factor) {
    return yarnMscale(factor, 1);
  }

  private static double yarnMscale(double factor, double mscale) {
    return factor <= 1 ? 1.0 : 0.1 * mscale * Math.log(factor) + 1.0;
  }
}
