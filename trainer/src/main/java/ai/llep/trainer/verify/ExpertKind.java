package ai.llep.trainer.verify;

import ai.djl.ndarray.types.Shape;
import ai.llep.dispatch.ExpertFunction;
import ai.llep.models.experts.GptOssExperts;
import ai.llep.models.experts.SwiGluExperts;
import java.util.List;
import java.util.Locale;

/** The expert function a verify run checks (config key {@code verify.expert-function}). */
public enum ExpertKind {
  /** Mixtral's, Qwen3-MoE's and OLMoE's SwiGLU; with {@code verify.bias}, biased projections. */
  SWIGLU("swiglu"),
  /** gpt-oss's clamped variant with interleaved gate and up; always biased. */
  GPT_OSS("gpt-oss");

  private final String label;

  ExpertKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The kind spelled {@code text} ({@code swiglu} or {@code gpt-oss}). */
  public static ExpertKind parse(String text) {
    String wanted = text.strip().toLowerCase(Locale.ROOT);
    for (ExpertKind kind : values()) {
      if (kind.label.equals(wanted)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "verify.expert-function must be swiglu or gpt-oss, got '" + text + "'");
  }

  ExpertFunction function(int hidden, int ffn, boolean bias) {
    return switch (this) {
      case SWIGLU -> new SwiGluExperts(hidden, ffn, bias);
      case GPT_OSS -> new GptOssExperts(hidden, ffn);
    };
  }

  /** What each of the function's tensors is called in the report, in transfer order. */
  List<String> tensorNames(boolean bias) {
    return switch (this) {
      case SWIGLU ->
          bias
              ? List.of("gate", "up", "down", "gate-bias", "up-bias", "down-bias")
              : List.of("gate", "up", "down");
      case GPT_OSS -> List.of("gate-up", "gate-up-bias", "down", "down-bias");
    };
  }

  /**
   * The standard deviation of tensor {@code i}'s random values: 1/sqrt(fan-in) for matrices, 0.1
   * for biases; gpt-oss's gate_up twice as wide, so that its clamps at +-7 act on a few entries
   * (few enough that float32 and the float64 reference rarely fall on different sides of 7).
   */
  double scale(int i, Shape shape, int hidden, int ffn) {
    if (shape.dimension() == 1) {
      return 0.1;
    }
    return switch (this) {
      case SWIGLU -> 1.0 / Math.sqrt(i == 2 ? ffn : hidden);
      case GPT_OSS -> i == 0 ? 2.0 / Math.sqrt(hidden) : 1.0 / Math.sqrt(ffn);
    };
  }
}
