package ai.llep.tape;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import ai.llep.aten.DjlTensors;

/**
 * Multiplying or dividing by a constant inside the autograd graph.
 *
 * <p>DJL's {@code mul(Number)} and {@code div(Number)} wrap the constant in a tensor whose memory
 * is a Java direct buffer and close that tensor right after the operation. Autograd keeps the
 * constant for the backward (the gradient of {@code x * c} is {@code grad * c}), so once the
 * garbage collector frees the buffer the backward reads freed memory: gradients change from run to
 * run. These helpers use a constant tensor that libtorch owns, which autograd keeps alive.
 */
public final class Scalars {
  private Scalars() {}

  /** {@code x * value}, safe to differentiate. */
  public static NDArray mul(NDArray x, double value) {
    return x.mul(constant(x.getManager(), value, DjlTensors.dtype(x)));
  }

  /** {@code x / value}, safe to differentiate. */
  public static NDArray div(NDArray x, double value) {
    return x.div(constant(x.getManager(), value, DjlTensors.dtype(x)));
  }

  /**
   * A 0-d tensor of {@code type} holding {@code value}, in memory libtorch owns. bfloat16 goes
   * through libtorch's own cast (DJL's aborts the JVM on it).
   */
  public static NDArray constant(NDManager manager, double value, DataType type) {
    try (NDArray javaOwned = manager.create(value)) {
      if (type == DataType.BFLOAT16) {
        return Aten.cast(javaOwned, type);
      }
      return type == DataType.FLOAT64 ? javaOwned.duplicate() : javaOwned.toType(type, false);
    }
  }
}
