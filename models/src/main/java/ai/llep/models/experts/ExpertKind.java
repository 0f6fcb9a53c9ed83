package ai.llep.models.experts;

import ai.llep.dispatch.ExpertFunction;
import java.util.List;
import java.util.Locale;

/**
 * The expert functions by name, for commands that build a layer without a model ({@code verify},
 * {@code bench}).
 */
public enum ExpertKind {
  /** Mixtral's, Qwen3-MoE's and OLMoE's SwiGLU, optionally with biased projections. */
  SWIGLU("swiglu"),
  /** gpt-oss's clamped variant with interleaved gate and up; always biased. */
  GPT_OSS("gpt-oss");

  private final String label;

  ExpertKind(String label) {
    this.label = label;
  }

  /** The name: {@code swiglu} or {@code gpt-oss}. */
  public String label() {
    return label;
  }

  /**
   * The kind spelled {@code text}.
   *
   * @param key the config key that gave it, for the error
   */
  public static ExpertKind parse(String key, String text) {
    String wanted = text.strip().toLowerCase(Locale.ROOT);
    for (ExpertKind kind : values()) {
      if (kind.label.equals(wanted)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(key + " must be swiglu or gpt-oss, got '" + text + "'");
  }

  /** The function for experts of hidden size {@code hidden} and FFN size {@code ffn}. */
  public ExpertFunction function(int hidden, int ffn, boolean bias) {
    return switch (this) {
      case SWIGLU -> new SwiGluExperts(hidden, ffn, bias);
      case GPT_OSS -> new GptOssExperts(hidden, ffn);
    };
  }

  /** Short names of the function's tensors, in transfer order. */
  public List<String> tensorNames(boolean bias) {
    return switch (this) {
      case SWIGLU ->
          bias
              ? List.of("gate", "up", "down", "gate-bias", "up-bias", "down-bias")
              : List.of("gate", "up", "down");
      case GPT_OSS -> List.of("gate-up", "gate-up-bias", "down", "down-bias");
    };
  }
}
