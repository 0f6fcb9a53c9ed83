package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import ai.llep.tape.GradMode;

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
 *
 * <p>While {@link WeightCopies} are open on the thread and track the parameter, each use with
 * autograd on is instead a copy of its own that is a leaf (a detached alias when no cast is
 * needed): its gradient stays on the copy for the trainer to sum, and none reaches the parameter.
 */
public final class StepView {
  private StepView() {}

  public static NDArray of(NDArray parameter, NDManager step) {
    WeightCopies copies = trackedBy(parameter);
    if (copies != null) {
      return copies.leaf(parameter, Aten.detach(parameter, step), step);
    }
    NDArray view = parameter.reshape(parameter.getShape());
    view.attach(step);
    return view;
  }

  /**
   * {@code parameter} for a pass whose activations are {@code x}: attached to {@code x}'s manager,
   * in {@code x}'s floating type (a view when the types agree, else a cast made there directly).
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  public static NDArray like(NDArray parameter, NDArray x) {
    DataType compute = Aten.dtype(x);
    boolean cast = compute.isFloating() && Aten.dtype(parameter) != compute;
    WeightCopies copies = cast ? trackedBy(parameter) : null;
    if (copies != null) {
      NDArray copy;
      try (GradMode off = GradMode.disabled()) {
        copy = Aten.cast(parameter, compute, x.getManager());
      }
      return copies.leaf(parameter, copy, x.getManager());
    }
    return cast ? Aten.cast(parameter, compute, x.getManager()) : of(parameter, x.getManager());
  }

  /** The weight copies open on this thread when they track {@code parameter} and autograd is on. */
  private static WeightCopies trackedBy(NDArray parameter) {
    WeightCopies copies = WeightCopies.current();
    return copies != null && copies.tracks(parameter) && GradMode.isEnabled() ? copies : null;
  }
}
