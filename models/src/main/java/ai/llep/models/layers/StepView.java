package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;

/**
 * A parameter as one forward pass uses it: a view (no copy) attached to the pass's manager, so
 * everything derived from it is freed with the pass, while gradients still flow to the parameter.
 *
 * <p>In mixed precision the parameters are the float32 master weights and the pass computes in
 * bfloat16: {@link #like} then gives the parameter's bfloat16 copy for this pass, a differentiable
 * cast, so the bfloat16 gradient of that copy reaches the float32 parameter (summed there in
 * float32 over micro-batches). Where the optimizer holds the masters instead (the trainer's bf16
 * ZeRO-1), the parameter is itself bfloat16: {@link #like} is then a view, no cast, and the
 * gradient stays bfloat16 on the parameter.
 */
public final class StepView {
  private StepView() {}

  public static NDArray of(NDArray parameter, NDManager step) {
    NDArray view = parameter.reshape(parameter.getShape());
    view.attach(step);
    return view;
  }

  /**
   * {@code parameter} for a pass whose activations are {@code x}: attached to {@code x}'s manager,
   * in {@code x}'s floating type (a view when the types agree, else a cast made there directly).
   */
  public static NDArray like(NDArray parameter, NDArray x) {
    DataType compute = Aten.dtype(x);
    return compute.isFloating() && Aten.dtype(parameter) != compute
        ? Aten.cast(parameter, compute, x.getManager())
        : of(parameter, x.getManager());
  }
}
