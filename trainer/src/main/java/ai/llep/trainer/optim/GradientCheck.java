package ai.llep.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The gradients an optimizer step is given, checked against its parameters. */
final class GradientCheck {
  private GradientCheck() {}

  /**
   * {@code params}' gradients from {@code gradients}, in {@code params}' order; an error naming the
   * parameter when one is missing or mis-shaped, or naming the gradients that match no parameter.
   */
  static List<NDArray> ordered(List<OptimParam> params, Map<String, NDArray> gradients) {
    List<NDArray> ordered = new ArrayList<>(params.size());
    Set<String> unknown = new TreeSet<>(gradients.keySet());
    for (OptimParam param : params) {
      NDArray gradient = gradients.get(param.name());
      if (gradient == null) {
        throw new IllegalArgumentException("no gradient for parameter " + param.name());
      }
      if (!gradient.getShape().equals(param.array().getShape())) {
        throw new IllegalArgumentException(
            "gradient of "
                + param.name()
                + " has shape "
                + gradient.getShape()
                + ", parameter has "
                + param.array().getShape());
      }
      ordered.add(gradient);
      unknown.remove(param.name());
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("gradients for unknown parameters " + unknown);
    }
    return ordered;
  }
}
