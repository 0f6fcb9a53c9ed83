package ai.llep.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * A parameter the optimizer updates: its name (the key of its state in checkpoints), the array the
 * model holds, and whether weight decay applies to it.
 */
public record OptimParam(String name, NDArray array, boolean weightDecay) {
  public OptimParam {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(array, "array");
    if (name.isBlank()) {
      throw new IllegalArgumentException("parameter name must not be blank");
    }
  }

  /**
   * A parameter with the usual decay rule: matrices and larger decay; vectors and scalars (biases,
   * norm scales) do not.
   */
  public static OptimParam of(String name, NDArray array) {
    return new OptimParam(name, array, array.getShape().dimension() >= 2);
  }
}
