package ai.llep.trainer.train;

import java.nio.file.Path;

/**
 * Where the model comes from: the embedded {@code tiny-moe} (built from the seed, with {@code
 * tinyExperts} experts) or a Hugging Face folder ({@code config.json}, safetensors, {@code
 * tokenizer.json}).
 */
public record ModelSpec(String source, int tinyExperts) {
  public static final String TINY = "tiny-moe";

  public boolean isTiny() {
    return source.equals(TINY);
  }

  public Path folder() {
    return Path.of(source);
  }

  /** What a checkpoint records as the model's source: tiny-moe and its experts, or the folder. */
  String identity() {
    return isTiny()
        ? TINY + " (" + tinyExperts + " experts)"
        : folder().toAbsolutePath().normalize().toString();
  }
}
