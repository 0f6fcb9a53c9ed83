package ai.llep.models.lora;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The adapters of a LoRA run, as PEFT's {@code LoraConfig} describes them.
 *
 * @param rank r, the inner width of every adapter
 * @param alpha PEFT's {@code lora_alpha}; the adapter's output is scaled by alpha / r
 * @param dropout the probability of dropping an element of an adapter's input in training (not the
 *     base projection's); PEFT's {@code target_parameters}, and so the experts, take none
 * @param rslora rsLoRA: scale by alpha / sqrt(r) instead
 * @param init how new adapters start
 * @param targets what is adapted, in every layer that has it
 * @param seed new adapters are drawn from it and their names, so the same for every world size
 */
public record LoraSpec(
    int rank,
    double alpha,
    double dropout,
    boolean rslora,
    LoraInit init,
    Set<LoraTarget> targets,
    long seed) {
  public LoraSpec {
    Objects.requireNonNull(init, "init");
    if (rank < 1) {
      throw new IllegalArgumentException("lora.rank must be >= 1, got " + rank);
    }
    if (!(alpha > 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("lora.alpha must be a positive number, got " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("lora.dropout must be in [0, 1), got " + dropout);
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("lora.targets is empty: name at least one projection");
    }
    targets = Set.copyOf(EnumSet.copyOf(targets));
    if (dropout > 0 && targets.stream().anyMatch(LoraTarget::expert)) {
      throw new IllegalArgumentException(
          "lora.dropout="
              + dropout
              + " with expert targets: PEFT's target_parameters (how it adapts the experts) take"
              + " no dropout, so an adapter trained with it could not be used there; set"
              + " lora.dropout=0 or leave experts.gate_up_proj and experts.down_proj out of"
              + " lora.targets");
    }
  }

  /** The factor of every adapter's output. */
  public double scaling() {
    return rslora ? alpha / Math.sqrt(rank) : alpha / rank;
  }

  public boolean targets(LoraTarget target) {
    return targets.contains(target);
  }

  /** The targets in declaration order. */
  public EnumSet<LoraTarget> ordered() {
    return EnumSet.copyOf(targets);
  }
}
