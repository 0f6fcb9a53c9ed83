package ai.llep.trainer.generate;

/**
 * How the next token is chosen from the logits: greedily (temperature 0: the most likely token, the
 * first of equal ones) or drawn from {@code softmax(logits / temperature)} restricted as
 * transformers' warpers restrict it, in their order: to the tokens whose logit reaches the k-th
 * largest ({@code topK}, 0 = no limit), then to the most likely tokens whose probabilities, summed
 * from the largest down, had not yet reached {@code topP} when each was added (1 = no limit).
 */
public record Sampling(double temperature, int topK, double topP) {
  public static final Sampling GREEDY = new Sampling(0, 0, 1);

  public Sampling {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "generate.temperature must be >= 0 (0 = greedy), got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("generate.top-k must be >= 0 (0 = all), got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("generate.top-p must be in (0, 1], got " + topP);
    }
  }

  public boolean greedy() {
    return temperature == 0;
  }
}
