package ai.llep.trainer.generate;

import java.util.List;

/**
 * The {@code generate} section as bound at start-up.
 *
 * @param maxNewTokens the most tokens generated per prompt
 * @param seed where every prompt's own random stream starts (with the prompt's index)
 * @param stop strings that end a completion, which is cut before the first one
 * @param batchSize prompts each rank runs at once
 */
public record GenerateOptions(
    int maxNewTokens, Sampling sampling, long seed, List<String> stop, int batchSize) {
  public GenerateOptions {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException(
          "generate.max-new-tokens must be >= 1, got " + maxNewTokens);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("generate.batch-size must be >= 1, got " + batchSize);
    }
    stop = List.copyOf(stop);
    if (stop.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("generate.stop holds an empty string, which ends nothing");
    }
    if (sampling == null) {
      throw new IllegalArgumentException("sampling must be given");
    }
  }
}
