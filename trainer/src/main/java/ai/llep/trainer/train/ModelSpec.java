package ai.llep.trainer.train;

import java.nio.file.Path;

/**
 * Where the model comes from: the embedded {@code tiny-moe} (built from the seed, with {@code
 * tinyExperts} experts) or a Hugging Face folder ({@code config.json}, safetensors, {@code
 * tokenizer.json}); with {@code randomWeights} ({@code model.weights=random}), the folder's
 * architecture and tokenizer with fresh weights drawn from the seed instead of its safetensors.
 */
public record ModelSpec(String source, int tinyExperts, boolean randomWeights) {
  public static final String TINY = "tiny-moe";

  public ModelSpec(String source, int tinyExperts) {
    this(source, tinyExperts, false);
  }

  public boolean isTiny() {
    return source.equals(TINY);
  }

  /** Whether the weights are drawn from the seed rather than read (tiny-moe's always are). */
  public boolean drawsWeights() {
    return isTiny() || randomWeights;
  }

  public Path folder() {
    return Path.of(source);
  }

  /** What a checkpoint records as the model's source: tiny-moe and its experts, or the folder. */
  String identity() {
    if (isTiny()) {
      return TINY + " (" + tinyExperts + " experts)";
    }
    String folder = folder().toAbsolutePath().normalize().toString();
    return randomWeights ? folder + " (random weights)" : folder;
  }
}
