package ai.llep.tape;

/**
 * Told, on the backward's thread, as each part of a tape's backward starts: {@code bwd-output}
 * (from the output back to the last cut), then {@code bwd-<label>} for each cut in reverse forward
 * order (the label it was recorded with), then {@code bwd-done}. Device work of a part may still be
 * queued when the next starts.
 */
@FunctionalInterface
public interface BackwardPhases {
  BackwardPhases NONE = phase -> {};

  void enter(String phase);
}
