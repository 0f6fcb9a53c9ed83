package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.llep.aten.AtenCall;
import ai.llep.aten.AtenOp;

/**
 * SiLU, {@code x * sigmoid(x)}, as libtorch's own operator (what transformers' {@code act_fn}
 * runs): one kernel forward and one backward, which keeps only {@code x} for the backward where the
 * composite {@code x.mul(sigmoid(x))} also keeps the sigmoid and runs four kernels.
 */
public final class Silu {
  private static final AtenOp SILU = AtenOp.parse("aten::silu(Tensor self) -> Tensor");

  private Silu() {}

  public static NDArray of(NDArray x) {
    return AtenCall.of(SILU).tensor(x).run(x.getManager()).tensor(0);
  }
}
