package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import ai.llep.tape.Scalars;

/**
 * Root-mean-square norm over the last axis, {@code w * x / sqrt(mean(x^2) + eps)}, computed in at
 * least float32 and scaled by the weight after casting back, as Hugging Face's RMSNorm does.
 */
public final class RmsNorm {
  private final NDArray weight;
  private final double eps;

  public RmsNorm(NDArray weight, double eps) {
    if (weight.getShape().dimension() != 1) {
      throw new IllegalArgumentException("an RMSNorm weight is 1-D, got " + weight.getShape());
    }
    this.weight = weight;
    this.eps = eps;
  }

  /** The norm of {@code x}, in {@code x}'s type. */
  public NDArray forward(NDArray x) {
    return forward(x, Aten.dtype(x));
  }

  /**
   * The norm of {@code x} in {@code output}: normalised in at least float32, cast to {@code
   * output}, then scaled by the weight there (a float32 residual stream handing bfloat16 branches
   * their input), as transformers computes it. Where libtorch takes lists (2.10 and later) it is
   * libtorch's own {@code rms_norm}, which scales before the one rounding to {@code output}.
   */
  public NDArray forward(NDArray x, DataType output) {
    if (Aten.listsSupported()) {
      // One fused operation (libtorch 2.10+ takes its shape list): normalised and scaled in
      // float32 inside, then rounded once to the output type.
      return Upcast.restore(Aten.rmsNorm(x, StepView.like(weight, x), eps), output);
    }
    NDArray wide = Upcast.toFloat32(x);
    int last = x.getShape().dimension() - 1;
    NDArray variance = wide.square().mean(new int[] {last}, true);
    NDArray normed = Upcast.restore(wide.div(Scalars.add(variance, eps).sqrt()), output);
    return normed.mul(StepView.like(weight, normed));
  }
}
