package ai.llep.trainer.commcheck;

/** Settings of the comm-check command (config section {@code comm-check}, plus {@code seed}). */
public record CommCheckOptions(
    int shapesPerDataType, int maxRows, long bandwidthBytes, int iterations, long seed) {
  public CommCheckOptions {
    if (shapesPerDataType < 1) {
      throw new IllegalArgumentException(
          "comm-check.shapes-per-dtype must be >= 1, got " + shapesPerDataType);
    }
    if (maxRows < 1) {
      throw new IllegalArgumentException("comm-check.max-rows must be >= 1, got " + maxRows);
    }
    if (bandwidthBytes < 0) {
      throw new IllegalArgumentException(
          "comm-check.bandwidth-bytes must be >= 0, got " + bandwidthBytes);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("comm-check.iterations must be >= 1, got " + iterations);
    }
  }
}
