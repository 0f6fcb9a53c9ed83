package ai.llep.tape;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** The two autograd entry points the tape needs, on top of DJL's PyTorch engine. */
public final class Gradients {
  private Gradients() {}

  /**
   * Adds {@code gradient} into the gradients of everything {@code target} depends on, as
   * {@code torch.autograd.backward(target, gradient, retain_graph=True)} does. The graph is kept
   * because later edges may walk shared parts of it; it is freed when the step's arrays close.
   * A target outside any graph (nothing requires its gradient) is a no-op.
   */
  public static void backward(NDArray target, NDArray gradient) {
    if (!JniUtils.requiresGrad((PtNDArray) target)) {
      return;
    }
    JniUtils.backward((PtNDArray) target, (PtNDArray) gradient, true, false);
  }

  /** A detached leaf that records its gradient: the receiving end of a cut. */
  public static NDArray leaf(NDArray received) {
    received.setRequiresGradient(true);
    return received;
  }

  /**
   * The accumulated gradient of a leaf, as a new array the caller closes. DJL returns zeros for a
   * leaf that no operation used.
   */
  public static NDArray gradientOf(NDArray leaf) {
    return leaf.getGradient();
  }
}
