package ai.llep.tape;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.llep.aten.Aten;

/** The two autograd entry points the tape needs, on top of DJL's PyTorch engine. */
public final class Gradients {
  private static final String NOT_IN_GRAPH = "does not require grad and does not have a grad_fn";

  private Gradients() {}

  /**
   * Adds {@code gradient} into the gradients of everything {@code target} depends on, as {@code
   * torch.autograd.backward(target, gradient, retain_graph=True)} does. The graph is kept because
   * later edges may walk shared parts of it; it is freed when the step's arrays close. An empty
   * target, or one outside any graph (nothing it depends on records gradients, as on a rank that
   * received no rows), is a no-op.
   */
  public static void backward(NDArray target, NDArray gradient) {
    if (target.getShape().size() == 0) {
      return;
    }
    try {
      JniUtils.backward((PtNDArray) target, (PtNDArray) gradient, true, false);
    } catch (EngineException e) {
      // DJL's requiresGrad reports false for every non-leaf tensor, so libtorch's own check is the
      // only reliable test of "outside any graph".
      if (e.getMessage() == null || !e.getMessage().contains(NOT_IN_GRAPH)) {
        throw e;
      }
    }
  }

  /**
   * The gradient autograd left on {@code leaf}, as a new handle the caller closes, or null when
   * nothing reached it.
   */
  public static NDArray held(NDArray leaf) {
    return JniUtils.getGradient((PtNDArray) leaf);
  }

  /** A detached leaf that records its gradient: the receiving end of a cut. */
  public static NDArray leaf(NDArray received) {
    received.setRequiresGradient(true);
    return received;
  }

  /**
   * The accumulated gradient of a leaf, as a new array the caller closes, in the leaf's dtype. For
   * a leaf that no operation used DJL returns float32 zeros whatever the leaf's type; those are
   * cast (a bfloat16 leaf's cut must send bfloat16).
   */
  public static NDArray gradientOf(NDArray leaf) {
    NDArray gradient = leaf.getGradient();
    DataType type = Aten.dtype(leaf);
    if (Aten.dtype(gradient) == type) {
      return gradient;
    }
    try (gradient) {
      return Aten.cast(gradient, type);
    }
  }
}
