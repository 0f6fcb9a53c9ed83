package ai.llep.models;

import ai.djl.ndarray.types.Shape;

/**
 * One tensor a model of a given config has: checkpoint name, shape, kind, place, and how a fresh
 * model initialises it (Hugging Face's defaults: normal with std {@code initializer_range} for
 * linear and embedding weights, ones for norms, zeros for biases).
 */
public record TensorSpec(
    String name, Shape shape, ParameterKind kind, int layer, int expert, Init init) {
  /** Initial values of a fresh model. */
  public enum Init {
    NORMAL,
    ONES,
    ZEROS
  }
}
