package ai.llep.models.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Optional;
import java.util.Set;

/**
 * Named tensors in Hugging Face naming ({@code model.layers.0.mlp.experts.3.w1.weight}), read one
 * at a time so that a rank loads only what it owns.
 */
public interface TensorSource {
  Set<String> names();

  /** The stored shape of {@code name}; an error naming the tensor when it is missing. */
  Shape shape(String name);

  /** Reads {@code name} into {@code manager}, converted to {@code computeType}. */
  NDArray read(String name, NDManager manager, DataType computeType);

  /**
   * The stored type of {@code name} ({@code "I64"}, ...) when it is not a floating-point type;
   * empty for floating-point tensors and for sources that make their values rather than store them.
   */
  default Optional<String> integerStorage(String name) {
    return Optional.empty();
  }
}
