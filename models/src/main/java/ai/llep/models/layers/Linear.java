package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code y = x W^T + b} with W in PyTorch's [out, in] layout, as checkpoints store it. */
public final class Linear {
  private final NDArray weight_OI;
  private final NDArray bias_O;
  private final LinearAdapter adapter;

  /**
   * @param weight_OI [out, in]
   * @param bias_O [out], or null for no bias
   */
  public Linear(NDArray weight_OI, NDArray bias_O) {
    this(weight_OI, bias_O, null);
  }

  /**
   * {@link #Linear(NDArray, NDArray)} plus {@code adapter}'s output, or nothing when it is null.
   */
  public Linear(NDArray weight_OI, NDArray bias_O, LinearAdapter adapter) {
    Shape shape = weight_OI.getShape();
    if (shape.dimension() != 2) {
      throw new IllegalArgumentException("a linear weight is [out, in], got " + shape);
    }
    if (bias_O != null && !bias_O.getShape().equals(new Shape(shape.get(0)))) {
      throw new IllegalArgumentException(
          "bias " + bias_O.getShape() + " does not match weight " + shape);
    }
    this.weight_OI = weight_OI;
    this.bias_O = bias_O;
    this.adapter = adapter;
  }

  /** {@code x_TI} [..., in] to [..., out], in {@code x_TI}'s type. */
  public NDArray forward(NDArray x_TI) {
    NDArray y_TO = x_TI.matMul(StepView.like(weight_OI, x_TI).transpose());
    y_TO = bias_O == null ? y_TO : y_TO.add(StepView.like(bias_O, x_TI));
    return adapter == null ? y_TO : y_TO.add(adapter.forward(x_TI));
  }
}
