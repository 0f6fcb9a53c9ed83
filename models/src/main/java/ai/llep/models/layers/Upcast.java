package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The float32 islands of a float16 forward (norms, softmaxes, the loss), as Hugging Face computes
 * them. DJL's casts are not differentiable, so float16 serves inference only; float32 and float64
 * pass through unchanged and keep their gradients.
 */
public final class Upcast {
  private Upcast() {}

  /** {@code x} in at least float32 precision. */
  public static NDArray toFloat32(NDArray x) {
    return x.getDataType() == DataType.FLOAT16 ? x.toType(DataType.FLOAT32, false) : x;
  }

  /** {@code x} back in {@code type} after {@link #toFloat32}. */
  public static NDArray restore(NDArray x, DataType type) {
    return x.getDataType() == type ? x : x.toType(type, false);
  }
}
