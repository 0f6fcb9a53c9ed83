package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;

/**
 * The float32 islands of a bfloat16 or float16 forward (norms, softmaxes, the loss), as Hugging
 * Face computes them. Both casts go through libtorch ({@link Aten#cast}), so they are
 * differentiable and work on bfloat16, which DJL's own cast aborts on; float32 and float64 pass
 * through unchanged.
 */
public final class Upcast {
  private Upcast() {}

  /** {@code x} in at least float32 precision. */
  public static NDArray toFloat32(NDArray x) {
    DataType type = Aten.dtype(x);
    return type == DataType.FLOAT16 || type == DataType.BFLOAT16
        ? Aten.cast(x, DataType.FLOAT32)
        : x;
  }

  /** {@code x} in {@code type} (back after {@link #toFloat32}, or into a compute type). */
  public static NDArray restore(NDArray x, DataType type) {
    return Aten.dtype(x) == type ? x : Aten.cast(x, type);
  }
}
