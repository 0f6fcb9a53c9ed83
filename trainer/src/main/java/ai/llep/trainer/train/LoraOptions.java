package ai.llep.trainer.train;

import ai.llep.models.lora.LoraSpec;
import ai.llep.models.lora.LoraTarget;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code train.method} and the {@code lora} section: whether the model's own weights train or a
 * frozen base with LoRA adapters, and how the adapters start and are exported.
 *
 * @param method {@code train.method}
 * @param spec the adapters ({@code lora.rank}, {@code alpha}, {@code dropout}, {@code use-rslora},
 *     {@code init}, {@code targets}); unused when the method is full
 * @param adapter {@code lora.adapter}: a PEFT adapter folder whose adapters a fresh run starts
 *     from, instead of new ones
 * @param mergeOnExport {@code lora.merge-on-export}: also export the base with the adapters merged
 *     in, in Hugging Face layout
 * @param expertCacheBytes {@code lora.expert-cache-mb} in bytes: what each rank may keep of the
 *     base weights of experts LLEP lent it, across steps; 0 keeps none
 */
public record LoraOptions(
    TrainMethod method,
    LoraSpec spec,
    Optional<Path> adapter,
    boolean mergeOnExport,
    long expertCacheBytes) {
  /** Full fine-tuning: no adapters. */
  public static final LoraOptions FULL =
      new LoraOptions(TrainMethod.FULL, null, Optional.empty(), false, 0);

  /** {@code train.method}. */
  public enum TrainMethod {
    /** Every weight trains (less what {@code train.freeze} names). */
    FULL,
    /** The base is frozen; LoRA adapters train. */
    LORA
  }

  public LoraOptions {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(adapter, "adapter");
    if (method == TrainMethod.LORA && spec == null) {
      throw new IllegalArgumentException("train.method=lora needs the lora section");
    }
    if (expertCacheBytes < 0) {
      throw new IllegalArgumentException(
          "lora.expert-cache-mb must be >= 0, got " + expertCacheBytes / (1 << 20));
    }
  }

  public boolean lora() {
    return method == TrainMethod.LORA;
  }

  /**
   * Whether PEFT can load the adapters onto the transformers model. PEFT 0.21 on transformers 5
   * renames targets called gate_proj, up_proj and down_proj to the experts' fused parameters for
   * Mixtral, Qwen3-MoE and OLMoE (to load adapters trained on transformers 4), so adapters of a
   * dense MLP would land on the experts there: those are exported merged only.
   */
  public boolean peftLoadable() {
    return spec.targets().stream().noneMatch(LoraTarget::denseMlp);
  }
}
