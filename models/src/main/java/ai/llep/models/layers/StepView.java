package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A parameter as one forward pass uses it: a view (no copy) attached to the pass's manager, so
 * everything derived from it is freed with the pass, while gradients still flow to the parameter.
 */
public final class StepView {
  private StepView() {}

  public static NDArray of(NDArray parameter, NDManager step) {
    NDArray view = parameter.reshape(parameter.getShape());
    view.attach(step);
    return view;
  }
}
