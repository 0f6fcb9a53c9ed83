package ai.llep.trainer.bench;

import ai.llep.models.experts.ExpertKind;
import java.util.List;
import java.util.Locale;

/**
 * The MoE layer under test: N experts of hidden size D and FFN size F, K experts per token, each
 * computing {@code function}.
 *
 * @param name a preset's name, or {@code custom}
 */
public record LayerShape(
    String name, int experts, int hidden, int ffn, int topK, ExpertKind function) {
  /**
   * The layers the LLEP paper measures (gpt-oss-120b, DeepSeek-V3, Kimi-K2; the latter two with
   * SwiGLU experts, as their models have), and gpt-oss-20b, which it fine-tunes.
   */
  public static final List<LayerShape> PRESETS =
      List.of(
          new LayerShape("gpt-oss-120b", 128, 2880, 2880, 4, ExpertKind.GPT_OSS),
          new LayerShape("gpt-oss-20b", 32, 2880, 2880, 4, ExpertKind.GPT_OSS),
          new LayerShape("deepseek-v3", 256, 7168, 2048, 8, ExpertKind.SWIGLU),
          new LayerShape("kimi-k2", 384, 7168, 2048, 8, ExpertKind.SWIGLU));

  /** A layer of SwiGLU experts. */
  public LayerShape(String name, int experts, int hidden, int ffn, int topK) {
    this(name, experts, hidden, ffn, topK, ExpertKind.SWIGLU);
  }

  public LayerShape {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a layer needs a name");
    }
    if (function == null) {
      throw new IllegalArgumentException("layer " + name + " needs an expert function");
    }
    if (experts < 1 || hidden < 1 || ffn < 1) {
      throw new IllegalArgumentException(
          "experts, hidden and ffn must be >= 1, got " + experts + ", " + hidden + ", " + ffn);
    }
    if (topK < 1 || topK > experts) {
      throw new IllegalArgumentException(
          "top-k must be in [1, experts=" + experts + "], got " + topK);
    }
  }

  /** The preset called {@code name}; the error lists the presets. */
  public static LayerShape preset(String name) {
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    for (LayerShape shape : PRESETS) {
      if (shape.name.equals(wanted)) {
        return shape;
      }
    }
    throw new IllegalArgumentException(
        "unknown layer '"
            + name
            + "': use "
            + String.join(", ", PRESETS.stream().map(LayerShape::name).toList())
            + " or custom");
  }

  /** This layer with D and F divided by {@code scale} (rounded, at least 1), N and K unchanged. */
  public LayerShape scaled(double scale) {
    if (!(scale >= 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and >= 1, got " + scale);
    }
    return new LayerShape(
        name,
        experts,
        (int) Math.max(1, Math.round(hidden / scale)),
        (int) Math.max(1, Math.round(ffn / scale)),
        topK,
        function);
  }

  /** "gpt-oss-120b (N=128, D=2880, F=2880, K=4, gpt-oss experts)". */
  public String describe() {
    return name
        + " (N="
        + experts
        + ", D="
        + hidden
        + ", F="
        + ffn
        + ", K="
        + topK
        + ", "
        + function.label()
        + " experts)";
  }
}
